package io.conversationwebhooks.subscription;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules for a subscription's static {@code headers} (CONTRACT section 4), checked when a subscription is read.
 *
 * <ul>
 * <li>A name is an HTTP token: one or more of {@code !#$%&'*+-.^_`|~}, digits and letters
 * (<a href="https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2">RFC 9110 section 5.6.2</a>), and is not given twice
 * (names are case-insensitive).</li>
 * <li>A name is not one of the contract's own headers: {@code Content-Type}, {@code Content-Length}, {@code Host},
 * {@code X-FreeScout-*}, {@code webhook-*} (any case).</li>
 * <li>A value holds no CR or LF, and no other character a field value may not hold: only tab, space, visible ASCII
 * and {@code 0x80}-{@code 0xFF} (<a href="https://www.rfc-editor.org/rfc/rfc9110#section-5.5">RFC 9110 section
 * 5.5</a>).</li>
 * </ul>
 *
 * <p>The reasons name a header only when its name is a token, and never show a value: values are often credentials.
 */
public final class StaticHeaders {

    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final Set<String> CONTRACT_NAMES = Set.of("content-type", "content-length", "host");
    private static final String[] CONTRACT_PREFIXES = { "x-freescout-", "webhook-" };

    private StaticHeaders() {
    }

    /**
     * @param headers name to value, as stored
     * @return the first rule they break, worded for a WARN (never a value, and a name only when it is a token); empty
     *         when they break none
     */
    public static Optional<String> problem(Map<String, String> headers) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey();
            if (!isToken(name)) {
                return Optional.of("a header name is not an HTTP token (RFC 9110 section 5.6.2)");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (isContractHeader(lower)) {
                return Optional.of("header " + name + " would override a header of the contract (Content-Type, "
                        + "Content-Length, Host, X-FreeScout-*, webhook-*)");
            }
            if (!seen.add(lower)) {
                return Optional.of("header " + name + " is given twice (header names are case-insensitive)");
            }
            String value = header.getValue();
            if (value == null) {
                return Optional.of("header " + name + " has no value");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                return Optional.of("the value of header " + name + " holds CR or LF");
            }
            if (!isFieldValue(value)) {
                return Optional.of("the value of header " + name + " holds a character a header value may not hold "
                        + "(RFC 9110 section 5.5)");
            }
        }
        return Optional.empty();
    }

    private static boolean isContractHeader(String lowerName) {
        if (CONTRACT_NAMES.contains(lowerName)) {
            return true;
        }
        for (String prefix : CONTRACT_PREFIXES) {
            if (lowerName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isToken(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && TOKEN_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = c == '\t' || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
