package io.conversationwebhooks.delivery;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.conversationwebhooks.stream.AttributeValueJson;
import io.conversationwebhooks.stream.ConversationImage;
import io.conversationwebhooks.testing.CapturedLogs;

class ConversationPayloadTest {

    /** Reads bodies back without rounding any number. */
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /** FreeScout's conversation object, in the order FreeScout's API sends it (CONTRACT section 3). */
    private static final List<String> FIELDS = List.of("id", "number", "threadsCount", "type", "folderId", "status",
            "state", "subject", "preview", "mailboxId", "assignee", "createdBy", "createdAt", "updatedAt", "closedBy",
            "closedByUser", "closedAt", "userUpdatedAt", "customerWaitingSince", "source", "cc", "bcc", "customer",
            "customFields");

    @Test
    void should_map_the_send_reply_and_close_image_to_FreeScouts_conversation_object() {
        // given
        ConversationImage image = sampleImage("send-reply-and-close.json", "NewImage");

        // when
        byte[] body = ConversationPayload.toJson(image);

        // then: the NewImage of events/send-reply-and-close.json, mapped by hand following CONTRACT section 3
        JsonNode expected = read("""
                {
                  "id": 112, "number": 2112, "threadsCount": 3, "type": "email", "folderId": 6,
                  "status": "closed", "state": "published",
                  "subject": "Can't log in after password reset",
                  "preview": "Hi Søren, we found a stale session on your account and cleared it. You should be able to log in now – let us know if not.",
                  "mailboxId": 1,
                  "assignee": {"id": 7, "type": "user", "firstName": "Tomasz", "lastName": "Nowak",
                    "email": "tomasz.nowak@helpdesk.example.com",
                    "photoUrl": "https://helpdesk.example.com/storage/users/7.jpg"},
                  "createdBy": {"id": 540, "type": "customer", "firstName": "Søren", "lastName": "Østergaard",
                    "email": "soren.ostergaard@example.dk"},
                  "createdAt": "2026-11-29T18:22:09Z",
                  "updatedAt": "2026-11-30T11:30:45Z",
                  "closedBy": 7,
                  "closedByUser": {"id": 7, "type": "user", "firstName": "Tomasz", "lastName": "Nowak",
                    "email": "tomasz.nowak@helpdesk.example.com"},
                  "closedAt": "2026-11-30T11:30:45Z",
                  "userUpdatedAt": "2026-11-30T11:30:45Z",
                  "customerWaitingSince": {"time": "2026-11-30T08:01:37Z", "friendly": "Nov 30", "latestReplyFrom": "user"},
                  "source": {"type": "email", "via": "customer"},
                  "cc": [],
                  "bcc": [],
                  "customer": {"id": 540, "type": "customer", "firstName": "Søren", "lastName": "Østergaard",
                    "email": "soren.ostergaard@example.dk"},
                  "customFields": [{"id": 2, "name": "Priority", "value": "Normal"}]
                }
                """);
        assertEquals(expected, read(body));
        assertEquals(FIELDS, fieldNames(read(body)));
    }

    @Test
    void should_write_numbers_as_JSON_numbers_and_names_as_strings() {
        String text = new String(ConversationPayload.toJson(sampleImage("send-reply-and-close.json", "NewImage")), UTF_8);

        assertTrue(text.startsWith("{\"id\":112,\"number\":2112,\"threadsCount\":3,\"type\":\"email\",\"folderId\":6,"
                + "\"status\":\"closed\",\"state\":\"published\","), text);
    }

    @Test
    void should_put_the_assignee_type_user_right_after_its_id() {
        JsonNode assignee = read(ConversationPayload.toJson(sampleImage("send-reply-and-close.json", "NewImage")))
                .get("assignee");

        assertEquals(List.of("id", "type", "firstName", "lastName", "email", "photoUrl"), fieldNames(assignee));
    }

    @Test
    void should_keep_every_digit_of_big_numbers_in_the_JSON_text() {
        // given
        ConversationImage image = image("""
                {"id": {"N": "123456789012345678901234567890"},
                 "threadsCount": {"N": "12345678901234567890123456789.000000001"},
                 "customFields": {"L": [{"M": {"id": {"N": "98765432109876543210987654321"}}}]}}
                """);

        // when
        String text = new String(ConversationPayload.toJson(image), UTF_8);

        // then
        assertTrue(text.startsWith("{\"id\":123456789012345678901234567890,"), text);
        assertTrue(text.contains("\"threadsCount\":12345678901234567890123456789.000000001,"), text);
        assertTrue(text.contains("\"customFields\":[{\"id\":98765432109876543210987654321}]"), text);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            7                                 | 7
            -7                                | -7
            0                                 | 0
            -0                                | 0
            007                               | 7
            -007                              | -7
            12.0                              | 12
            12.50                             | 12.50
            1E+2                              | 100
            -1.5E+3                           | -1500
            1.25E-2                           | 0.0125
            12345678901234567890123456789012345678 | 12345678901234567890123456789012345678
            """)
    void should_write_every_form_of_a_DynamoDB_number_as_its_JSON_number(String stored, String sent) {
        // given
        ConversationImage image = image("{\"id\": {\"N\": \"" + stored + "\"}, \"customFields\": {\"L\": [{\"N\": \""
                + stored + "\"}]}}");

        // when
        String text = new String(ConversationPayload.toJson(image), UTF_8);

        // then: the same text for a top-level field and inside a list
        assertTrue(text.startsWith("{\"id\":" + sent + ","), text);
        assertTrue(text.endsWith("\"customFields\":[" + sent + "]}"), text);
    }

    @Test
    void should_send_numbers_too_long_to_write_plainly_as_their_text_and_still_write_the_body() {
        // given: S attributes of numeric fields that parse as numbers of 600 million or 10,001 digits
        String longScale = "1.5" + "0".repeat(10_000);
        ConversationImage image = image("{\"id\": {\"S\": \"1E+600000000\"}, \"number\": {\"S\": \"" + longScale
                + "\"}, \"threadsCount\": {\"S\": \"1E+9999\"}, \"folderId\": {\"S\": \"1E+20\"}}");

        // when
        String text = new String(ConversationPayload.toJson(image), UTF_8);

        // then: unchanged text where a plain number would be absurd, a number where it is not
        assertTrue(text.startsWith("{\"id\":\"1E+600000000\",\"number\":\"" + longScale + "\",\"threadsCount\":\"1E+9999\","),
                text.substring(0, 120));
        assertTrue(text.contains("\"folderId\":100000000000000000000,"), text.substring(0, 120));
    }

    @Test
    void should_send_only_the_contract_fields_of_nested_objects() throws Exception {
        // given: extra fields stored on persons, the assignee, customerWaitingSince and source
        ConversationImage image = image("""
                {"id": {"N": "1"},
                 "assignee": {"M": {"id": {"N": "7"}, "firstName": {"S": "Ana"}, "phone": {"S": "+1 555 0100"},
                                    "role": {"S": "admin"}, "photoUrl": {"S": "https://x/7.jpg"}}},
                 "customer": {"M": {"id": {"N": "9"}, "type": {"S": "customer"}, "email": {"S": "jo@example.com"},
                                    "phone": {"S": "+1 555 0199"}, "notes": {"S": "VIP, angry"}}},
                 "createdBy": {"M": {"id": {"N": "9"}, "passwordHash": {"S": "x"}}},
                 "closedByUser": {"M": {"id": {"N": "7"}, "lastName": {"S": "Silva"}, "token": {"S": "t"}}},
                 "customerWaitingSince": {"M": {"time": {"S": "2026-11-30T08:01:37Z"}, "internal": {"S": "x"}}},
                 "source": {"M": {"type": {"S": "email"}, "via": {"S": "customer"}, "rawHeaders": {"S": "x"}}}}
                """);

        // when
        JsonNode body = EXACT.readTree(ConversationPayload.toJson(image));

        // then
        assertEquals(EXACT.readTree("""
                {"id": 7, "type": "user", "firstName": "Ana", "photoUrl": "https://x/7.jpg"}"""), body.get("assignee"));
        assertEquals(EXACT.readTree("""
                {"id": 9, "type": "customer", "email": "jo@example.com"}"""), body.get("customer"));
        assertEquals(EXACT.readTree("{\"id\": 9}"), body.get("createdBy"));
        assertEquals(EXACT.readTree("{\"id\": 7, \"lastName\": \"Silva\"}"), body.get("closedByUser"));
        assertEquals(EXACT.readTree("{\"time\": \"2026-11-30T08:01:37Z\"}"), body.get("customerWaitingSince"));
        assertEquals(EXACT.readTree("{\"type\": \"email\", \"via\": \"customer\"}"), body.get("source"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"S": "2026-11-29T10:15:00+02:00"}      | "2026-11-29T08:15:00Z"
            {"S": "2026-11-29T10:15:00-05:30"}      | "2026-11-29T15:45:00Z"
            {"S": "2026-11-29 10:15:00"}            | "2026-11-29T10:15:00Z"
            {"S": "2026-11-29T10:15:00"}            | "2026-11-29T10:15:00Z"
            {"S": "2026-11-29T10:15:00.750Z"}       | "2026-11-29T10:15:00Z"
            {"N": "1796033700"}                     | "2026-11-30T10:15:00Z"
            {"N": "0"}                              | "1970-01-01T00:00:00Z"
            {"S": "last Tuesday"}                   | "last Tuesday"
            {"S": "29/11/2026 10:15"}               | "29/11/2026 10:15"
            {"NULL": true}                          | null
            """)
    void should_send_times_as_UTC_seconds(String value, String expected) {
        // N epoch seconds were converted independently: python3 -c 'import datetime;
        //   print(datetime.datetime.fromtimestamp(1796033700, datetime.timezone.utc))' -> 2026-11-30 10:15:00+00:00
        for (String field : List.of("createdAt", "updatedAt", "closedAt", "userUpdatedAt")) {
            JsonNode body = read(ConversationPayload.toJson(image("{\"" + field + "\": " + value + "}")));

            assertEquals(read(expected), body.get(field), field);
        }
    }

    /**
     * Every time spelling of CONTRACT section 3, in each time attribute. Expected values worked out by hand; the epoch
     * ones with python3 {@code datetime.fromtimestamp(n, timezone.utc)} (milliseconds divided by 1000 first).
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"S": "2024-05-01T10:00:00Z"}              | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T12:00:00+02:00"}         | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T12:00:00+0200"}          | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T12:00:00+02"}            | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T04:30:00-0530"}          | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T10:00:00+00"}            | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T10:00:00.5Z"}            | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T12:00:00.123456+02:00"}  | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T12:00:00.999999999+0200"}| 2024-05-01T10:00:00Z
            {"S": "2024-05-01 12:00:00+02:00"}         | 2024-05-01T10:00:00Z
            {"S": "2024-05-01 10:00:00Z"}              | 2024-05-01T10:00:00Z
            {"S": "2024-05-01 10:00:00"}               | 2024-05-01T10:00:00Z
            {"S": "2024-05-01 10:00:00.250"}           | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T10:00:00"}               | 2024-05-01T10:00:00Z
            {"S": "2024-05-01t10:00:00z"}              | 2024-05-01T10:00:00Z
            {"S": "2024-05-01T01:00:00+0200"}          | 2024-04-30T23:00:00Z
            {"N": "1714557600"}                        | 2024-05-01T10:00:00Z
            {"N": "1714557600.75"}                     | 2024-05-01T10:00:00Z
            {"N": "1714557600123"}                     | 2024-05-01T10:00:00Z
            {"N": "99999999999"}                       | 5138-11-16T09:46:39Z
            {"N": "100000000000"}                      | 5138-11-16T09:46:40Z
            {"N": "100000000001"}                      | 1973-03-03T09:46:40Z
            {"S": "2016-12-31T23:59:60Z"}              | 2016-12-31T23:59:59Z
            {"S": "2016-12-31 23:59:60.5"}             | 2016-12-31T23:59:59Z
            {"S": "1990-12-31T15:59:60-08:00"}         | 1990-12-31T23:59:59Z
            {"S": "9999-12-31T23:59:59Z"}              | 9999-12-31T23:59:59Z
            {"S": "0000-01-01T00:00:00Z"}              | 0000-01-01T00:00:00Z
            {"N": "253402300799000"}                   | 9999-12-31T23:59:59Z
            """)
    void should_normalise_every_time_spelling_of_the_contract_to_UTC_seconds(String value, String expected) {
        for (String field : List.of("createdAt", "updatedAt", "closedAt", "userUpdatedAt")) {
            // when
            JsonNode body = read(ConversationPayload.toJson(image("{\"" + field + "\": " + value + "}")));

            // then
            assertEquals(expected, body.get(field).textValue(), field);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"S": "2024-05-01T12:00:00+2"}         | 2024-05-01T12:00:00+2
            {"S": "2024-05-01T12:00:00 +02:00"}    | 2024-05-01T12:00:00 +02:00
            {"S": "2024-05-01T12:00"}              | 2024-05-01T12:00
            {"S": "2024-05-0112:00:00"}            | 2024-05-0112:00:00
            {"S": "2024-02-30T12:00:00Z"}          | 2024-02-30T12:00:00Z
            {"S": "01/05/2024 12:00"}              | 01/05/2024 12:00
            {"S": "Wed, 01 May 2024 10:00:00 GMT"} | Wed, 01 May 2024 10:00:00 GMT
            {"S": "2016-12-31T23:59:61Z"}          | 2016-12-31T23:59:61Z
            {"S": "+10000-01-01T00:00:00Z"}        | +10000-01-01T00:00:00Z
            {"S": "9999-12-31T23:00:00-05:00"}     | 9999-12-31T23:00:00-05:00
            {"S": "0000-01-01T00:30:00+01:00"}     | 0000-01-01T00:30:00+01:00
            {"S": "-0001-01-01T00:00:00Z"}         | -0001-01-01T00:00:00Z
            """)
    void should_send_any_other_spelling_as_its_text_with_a_WARN_naming_attribute_and_record(String value,
            String expected) {
        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            JsonNode body = read(ConversationPayload.toJson(image("{\"id\": {\"N\": \"42\"}, \"createdAt\": "
                    + value + "}"), "Record ev-7 (sequence number 900)"));

            // then
            assertEquals(expected, body.get("createdAt").textValue());
            assertTrue(logs.lines().stream().anyMatch(line -> line.startsWith("WARN")
                    && line.contains("Record ev-7 (sequence number 900)") && line.contains("createdAt")
                    && line.contains(expected)), logs.text());
        }
    }

    /**
     * N times whose UTC year has no room in {@code YYYY}: 253402300800000 ms is 10000-01-01T00:00:00Z, one second after
     * python3's {@code datetime(9999,12,31,23,59,59,tzinfo=utc).timestamp()} = 253402300799; -62167219201 s is
     * -0001-12-31T23:59:59Z, 366 days (year 0 is a leap year) and a second before python3's 0001-01-01 = -62135596800.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            253402300800000
            -62167219201
            """)
    void should_send_an_N_time_outside_the_years_0000_to_9999_as_its_number_with_a_WARN(String number) {
        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            JsonNode body = read(ConversationPayload.toJson(image("{\"id\": {\"N\": \"42\"}, \"createdAt\": {\"N\": \""
                    + number + "\"}}"), "Record ev-7 (sequence number 900)"));

            // then
            assertEquals(read(number), body.get("createdAt"));
            assertTrue(logs.lines().stream().anyMatch(line -> line.startsWith("WARN")
                    && line.contains("Record ev-7 (sequence number 900)") && line.contains("createdAt")
                    && line.contains(number)), logs.text());
        }
    }

    @Test
    void should_send_PHPs_DATE_ISO8601_createdAt_in_UTC_without_a_WARN() {
        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            JsonNode body = read(ConversationPayload.toJson(image(
                    "{\"createdAt\": {\"S\": \"2024-05-01T12:00:00+0200\"}}")));

            // then
            assertEquals("2024-05-01T10:00:00Z", body.get("createdAt").textValue());
            assertFalse(logs.text().contains("createdAt"), logs.text());
        }
    }

    @Test
    void should_send_null_for_an_absent_time() {
        JsonNode body = read(ConversationPayload.toJson(image("{\"id\": {\"N\": \"1\"}}")));

        assertTrue(body.get("closedAt").isNull());
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            status | {"N": "2"}           | pending
            status | {"S": "spam"}        | spam
            status | {"N": "9"}           | 9
            status | {"S": "escalated"}   | escalated
            state  | {"N": "3"}           | deleted
            state  | {"S": "1"}           | draft
            type   | {"N": "4"}           | custom
            type   | {"N": "12"}          | 12
            """)
    void should_send_status_state_and_type_by_name_and_unknown_codes_as_their_string(String field, String value,
            String name) {
        JsonNode body = read(ConversationPayload.toJson(image("{\"" + field + "\": " + value + "}")));

        assertTrue(body.get(field).isTextual(), body.toString());
        assertEquals(name, body.get(field).textValue());
    }

    @Test
    void should_send_a_NULL_assignee_as_null() {
        // events/unassign.json: assignee user 3 -> {"NULL": true}
        JsonNode body = read(ConversationPayload.toJson(sampleImage("unassign.json", "NewImage")));

        assertTrue(body.has("assignee"));
        assertTrue(body.get("assignee").isNull(), body.get("assignee").toString());
    }

    @Test
    void should_send_an_absent_assignee_as_null() {
        JsonNode body = read(ConversationPayload.toJson(image("{\"id\": {\"N\": \"1\"}}")));

        assertTrue(body.get("assignee").isNull());
    }

    @Test
    void should_not_send_attributes_outside_the_contract() {
        // given: events/ttl-expiry.json's OldImage carries the TTL attribute expiresAt
        ConversationImage image = sampleImage("ttl-expiry.json", "OldImage");
        assertTrue(image.get("expiresAt").isPresent());

        // when
        byte[] body = ConversationPayload.toJson(image);

        // then
        assertEquals(FIELDS, fieldNames(read(body)));
        assertFalse(new String(body, UTF_8).contains("expiresAt"));
        assertTrue(read(body).get("closedBy").isNull());
    }

    @Test
    void should_encode_non_ASCII_text_as_UTF8_bytes() {
        byte[] body = ConversationPayload.toJson(image("{\"subject\": {\"S\": \"Søren – 東京\"}}"));

        String hex = HexFormat.of().formatHex(body);
        // UTF-8: ø = c3 b8, – (U+2013) = e2 80 93, 東 = e6 9d b1, 京 = e4 ba ac
        assertTrue(hex.contains("53" + "c3b8" + "72656e20" + "e28093" + "20" + "e69db1" + "e4baac"), hex);
        assertFalse(new String(body, UTF_8).contains("\\u"));
    }

    @Test
    void should_send_cc_and_bcc_as_arrays_from_SS_and_from_L() {
        JsonNode body = read(ConversationPayload.toJson(image("""
                {"cc": {"SS": ["ana@example.com", "bo@example.com"]},
                 "bcc": {"L": [{"S": "audit@example.com"}]}}
                """)));

        assertEquals(read("[\"ana@example.com\", \"bo@example.com\"]"), body.get("cc"));
        assertEquals(read("[\"audit@example.com\"]"), body.get("bcc"));
    }

    @Test
    void should_send_empty_arrays_for_absent_cc_bcc_and_customFields() {
        JsonNode body = read(ConversationPayload.toJson(image("{\"id\": {\"N\": \"1\"}}")));

        assertEquals(read("[]"), body.get("cc"));
        assertEquals(read("[]"), body.get("bcc"));
        assertEquals(read("[]"), body.get("customFields"));
    }

    private static ConversationImage sampleImage(String file, String image) {
        try {
            JsonNode event = EXACT.readTree(Path.of("events", file).toFile());
            JsonNode dynamodb = event.get("Records").get(0).get("dynamodb");
            return new ConversationImage(AttributeValueJson.decodeImage(dynamodb.get(image), image));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ConversationImage image(String dynamoDbJson) {
        return new ConversationImage(AttributeValueJson.decodeImage(read(dynamoDbJson), "NewImage"));
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode read(String json) {
        return read(json.getBytes(UTF_8));
    }

    private static JsonNode read(byte[] json) {
        try {
            return EXACT.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
