package io.conversationwebhooks.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class AttributeValueJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void should_keep_the_text_of_S() {
        assertEquals("Søren – \"quoted\"", decode("{\"S\":\"Søren – \\\"quoted\\\"\"}").s());
    }

    @Test
    void should_keep_the_decimal_string_of_N_as_sent() {
        AttributeValue value = decode("{\"N\":\"0012.500\"}");

        assertEquals("0012.500", value.n());
    }

    @Test
    void should_accept_N_in_exponent_notation_and_negative() {
        assertEquals("-1.5E+3", decode("{\"N\":\"-1.5E+3\"}").n());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "1E+125", "9.9999999999999999999999999999999999999E+125", "1E-130", "-1E-130",
            "12345678901234567890123456789012345678", "-12345678901234567890123456789012345678", "0", "-0", "007",
            "0E+999999", "1.000000000000000000000000000000000000000000" })
    void should_accept_N_within_dynamodb_range(String number) {
        assertEquals(number, decode("{\"N\":\"" + number + "\"}").n());
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(value = { "''", "-", "--1", "1-", "+", "1 2", "0x1F" }, emptyValue = "")
    void should_refuse_N_that_is_not_a_number(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decode("{\"N\":\"" + text + "\"}"));
        assertEquals("value.N is not a decimal number", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "1E+126", "1E-131", "123456789012345678901234567890123456789",
            "-123456789012345678901234567890123456789", "1e2147483647", "-1e400000000" })
    void should_refuse_N_outside_dynamodb_range(String number) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decode("{\"N\":\"" + number + "\"}"));
        assertEquals("value.N is outside DynamoDB's number range", e.getMessage());
    }

    @Test
    void should_decode_B_from_base64() {
        // "aGVsbG8=" is base64 of the ASCII bytes of "hello"
        assertArrayEquals("hello".getBytes(UTF_8), decode("{\"B\":\"aGVsbG8=\"}").b().asByteArray());
    }

    @Test
    void should_decode_BOOL_true_and_false() {
        assertEquals(Boolean.TRUE, decode("{\"BOOL\":true}").bool());
        assertEquals(Boolean.FALSE, decode("{\"BOOL\":false}").bool());
    }

    @Test
    void should_decode_NULL() {
        AttributeValue value = decode("{\"NULL\":true}");

        assertEquals(Boolean.TRUE, value.nul());
        assertFalse(value.hasM());
    }

    @Test
    void should_decode_M_with_its_attributes() {
        AttributeValue value = decode("{\"M\":{\"id\":{\"N\":\"7\"},\"email\":{\"S\":\"a@example.com\"}}}");

        assertTrue(value.hasM());
        assertEquals(Map.of("id", AttributeValue.fromN("7"), "email", AttributeValue.fromS("a@example.com")), value.m());
    }

    @Test
    void should_decode_L_of_mixed_values_in_order() {
        AttributeValue value = decode("{\"L\":[{\"S\":\"a\"},{\"N\":\"2\"},{\"BOOL\":false},{\"NULL\":true}]}");

        assertEquals(List.of(AttributeValue.fromS("a"), AttributeValue.fromN("2"), AttributeValue.fromBool(false),
                AttributeValue.fromNul(true)), value.l());
    }

    @Test
    void should_decode_an_empty_L_as_an_empty_list() {
        AttributeValue value = decode("{\"L\":[]}");

        assertTrue(value.hasL());
        assertEquals(List.of(), value.l());
    }

    @Test
    void should_decode_SS_NS_and_BS() {
        assertEquals(List.of("a@example.com", "b@example.com"),
                decode("{\"SS\":[\"a@example.com\",\"b@example.com\"]}").ss());
        assertEquals(List.of("1", "2.50"), decode("{\"NS\":[\"1\",\"2.50\"]}").ns());
        // "AAE=" is base64 of the bytes 0x00 0x01, "/w==" of 0xff
        assertEquals(List.of(SdkBytes.fromByteArray(new byte[] { 0, 1 }), SdkBytes.fromByteArray(new byte[] { -1 })),
                decode("{\"BS\":[\"AAE=\",\"/w==\"]}").bs());
    }

    @Test
    void should_decode_nested_maps_and_lists() {
        AttributeValue value = decode("""
                {"L":[{"M":{"id":{"N":"2"},"tags":{"SS":["x"]},"inner":{"L":[{"M":{"deep":{"S":"yes"}}}]}}}]}
                """);

        Map<String, AttributeValue> field = value.l().get(0).m();
        assertEquals("2", field.get("id").n());
        assertEquals(List.of("x"), field.get("tags").ss());
        assertEquals("yes", field.get("inner").l().get(0).m().get("deep").s());
    }

    @Test
    void should_keep_the_attribute_order_of_an_image() {
        Map<String, AttributeValue> image = AttributeValueJson.decodeImage(
                tree("{\"zeta\":{\"S\":\"z\"},\"alpha\":{\"S\":\"a\"},\"mid\":{\"S\":\"m\"}}"), "NewImage");

        assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(image.keySet()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"status":{"N":"closed"}}                                   | NewImage.status.N is not a decimal number
            {"status":{"N":3}}                                          | NewImage.status.N is not a string
            {"subject":{"S":12}}                                        | NewImage.subject.S is not a string
            {"file":{"B":"not base64!"}}                                | NewImage.file.B is not base64
            {"flag":{"BOOL":"true"}}                                    | NewImage.flag.BOOL is not a boolean
            {"assignee":{"NULL":false}}                                 | NewImage.assignee.NULL must be true
            {"cc":{"SS":"a@example.com"}}                               | NewImage.cc.SS is not an array
            {"cc":{"SS":["a@example.com",7]}}                           | NewImage.cc.SS is not a string
            {"mailboxes":{"NS":["1","two"]}}                            | NewImage.mailboxes.NS is not a decimal number
            {"files":{"BS":["AAE=","%%"]}}                              | NewImage.files.BS is not base64
            {"customFields":{"L":{"S":"x"}}}                            | NewImage.customFields.L is not an array
            {"assignee":{"M":[]}}                                       | NewImage.assignee.M is not a JSON object
            {"status":{"X":"3"}}                                        | NewImage.status has unknown DynamoDB type 'X'
            {"status":{"N":"3","S":"closed"}}                           | NewImage.status is not a DynamoDB JSON value (an object with one type key)
            {"status":"closed"}                                         | NewImage.status is not a DynamoDB JSON value (an object with one type key)
            {"status":{}}                                               | NewImage.status is not a DynamoDB JSON value (an object with one type key)
            """)
    void should_name_the_path_of_an_invalid_value(String image, String message) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> AttributeValueJson.decodeImage(tree(image), "NewImage"));

        assertEquals(message, error.getMessage());
    }

    @Test
    void should_name_the_full_path_of_an_invalid_value_deep_inside_lists_and_maps() {
        JsonNode image = tree("""
                {"customFields":{"L":[
                  {"M":{"id":{"N":"1"},"value":{"N":"10"}}},
                  {"M":{"id":{"N":"2"},"value":{"N":"ten"}}}
                ]}}
                """);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> AttributeValueJson.decodeImage(image, "NewImage"));

        assertEquals("NewImage.customFields.L[1].M.value.N is not a decimal number", error.getMessage());
    }

    @Test
    void should_refuse_an_image_that_is_not_an_object() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> AttributeValueJson.decodeImage(tree("[1,2]"), "OldImage"));

        assertEquals("OldImage is not a JSON object", error.getMessage());
    }

    private static AttributeValue decode(String json) {
        return AttributeValueJson.decode(tree(json), "value");
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test JSON does not parse: " + json, e);
        }
    }
}
