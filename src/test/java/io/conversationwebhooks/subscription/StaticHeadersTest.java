package io.conversationwebhooks.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of CONTRACT section 4 for a subscription's static headers. */
class StaticHeadersTest {

    private static final String VALUE = "Bearer tok-3f9a7c";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "Authorization", "X-Api-Key", "x-api-key", "Api_Key", "A!#$%&'*+-.^_`|~9",
            "X-FreeScout", "Webhook", "Content-Typed", "Hostname", "User-Agent" })
    void should_accept_a_token_name_that_is_not_a_contract_header(String name) {
        assertEquals(Optional.empty(), StaticHeaders.problem(Map.of(name, VALUE)));
    }

    @ParameterizedTest(name = "name {index}")
    @ValueSource(strings = { "", "X Api Key", "X-Api-Key:", "Authorization: Bearer tok-3f9a7c", "X-Ä", "(x)", "x\"y",
            "x\ty", "a/b", "a@b", "x\r\ny" })
    void should_refuse_a_name_that_is_not_a_token_without_naming_it(String name) {
        Optional<String> problem = StaticHeaders.problem(Map.of(name, "v"));

        assertEquals(Optional.of("a header name is not an HTTP token (RFC 9110 section 5.6.2)"), problem);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "Content-Type", "content-length", "HOST", "X-FreeScout-Event", "x-freescout-signature",
            "X-FreeScout-Anything", "webhook-id", "Webhook-Signature", "WEBHOOK-TIMESTAMP", "webhook-whatever" })
    void should_refuse_a_name_that_would_override_a_contract_header(String name) {
        Optional<String> problem = StaticHeaders.problem(Map.of(name, VALUE));

        assertEquals(Optional.of("header " + name + " would override a header of the contract (Content-Type, "
                + "Content-Length, Host, X-FreeScout-*, webhook-*)"), problem);
    }

    @ParameterizedTest(name = "value {index}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Bearer tok\\r\\nX-Injected: 1 | the value of header X-Api-Key holds CR or LF
            tok\\n                        | the value of header X-Api-Key holds CR or LF
            \\rtok                        | the value of header X-Api-Key holds CR or LF
            tok\\u0000                    | the value of header X-Api-Key holds a character a header value may not hold (RFC 9110 section 5.5)
            tok\\u007f                    | the value of header X-Api-Key holds a character a header value may not hold (RFC 9110 section 5.5)
            tok\\u20ac                    | the value of header X-Api-Key holds a character a header value may not hold (RFC 9110 section 5.5)
            """)
    void should_refuse_a_value_with_CR_LF_or_another_forbidden_character_without_showing_it(String escaped,
            String reason) {
        String value = unescape(escaped);

        Optional<String> problem = StaticHeaders.problem(Map.of("X-Api-Key", value));

        assertEquals(Optional.of(reason), problem);
        assertFalse(problem.get().contains("tok"), "the value is in the reason");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = { "", " ", "a\tb", "caf\u00e9", "!~ {}[]\"\\" })
    void should_accept_tab_space_visible_ascii_and_latin_1_in_values(String value) {
        assertEquals(Optional.empty(), StaticHeaders.problem(Map.of("X-Value", value)));
    }

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource({ "X-Api-Key, x-api-key", "Authorization, AUTHORIZATION" })
    void should_refuse_a_name_given_twice_in_another_case(String first, String second) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(first, "one");
        headers.put(second, "two");

        assertEquals(Optional.of("header " + second + " is given twice (header names are case-insensitive)"),
                StaticHeaders.problem(headers));
    }

    private static String unescape(String escaped) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c != '\\') {
                out.append(c);
            } else if (escaped.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(escaped.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(escaped.charAt(i + 1) == 'r' ? '\r' : '\n');
                i++;
            }
        }
        return out.toString();
    }
}
