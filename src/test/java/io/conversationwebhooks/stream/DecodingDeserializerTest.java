package io.conversationwebhooks.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * {@link StreamsEvent.DecodingDeserializer}, which decodes a batch record by record while it is read, gives what
 * reading the whole batch as one exact JSON tree and then decoding its {@code Records} gives ({@link #whole}).
 */
class DecodingDeserializerTest {

    /** A plain mapper, as Funqy's or any caller's that knows nothing about exact decimals. */
    private final ObjectMapper plainMapper = new ObjectMapper();
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    static Stream<Path> sampleEvents() throws IOException {
        return Files.list(Path.of("events")).filter(path -> path.toString().endsWith(".json"))
                .filter(path -> !path.getFileName().toString().equals("env.json")).sorted();
    }

    @ParameterizedTest
    @MethodSource("sampleEvents")
    void should_decode_every_sample_event_as_the_whole_tree_does(Path sample) throws IOException {
        // given
        String json = Files.readString(sample, StandardCharsets.UTF_8);

        // when
        BatchProcessor.DecodedBatch streamed = plainMapper.readValue(json, BatchProcessor.DecodedBatch.class);

        // then
        BatchProcessor.DecodedBatch whole = whole(json);
        assertFalse(whole.records().isEmpty(), sample + " has records");
        assertEquals(whole, streamed);
    }

    @Test
    void should_count_a_malformed_record_and_decode_the_ones_around_it() throws IOException {
        // given: the second record's image is not DynamoDB JSON, the third is not an object at all
        String json = batch(record("a", "100", "1796033700", "{\"N\":\"1\"}"),
                record("b", "200", "1796033700", "{\"N\":\"one\"}"), "null", "42",
                record("c", "300", "1796033700", "{\"N\":\"3\"}"));

        // when
        BatchProcessor.DecodedBatch batch = plainMapper.readValue(json, BatchProcessor.DecodedBatch.class);

        // then
        assertEquals(List.of("a", "c"), batch.records().stream().map(StreamRecord::eventId).toList());
        assertEquals(5, batch.size());
        assertEquals(3, batch.malformed());
        assertEquals(whole(json), batch);
    }

    @Test
    void should_keep_every_digit_of_ApproximateCreationDateTime() throws IOException {
        BigDecimal exact = new BigDecimal("1796033700.123456789");
        String json = batch(record("1", "100", exact.toPlainString(), "{\"N\":\"1\"}"));

        BatchProcessor.DecodedBatch batch = plainMapper.readValue(json, BatchProcessor.DecodedBatch.class);

        assertEquals(exact, batch.records().get(0).approximateCreationDateTime());
    }

    @Test
    void should_read_a_batch_without_usable_Records_as_empty() throws IOException {
        for (String json : List.of("{}", "{\"Records\":null}", "{\"Records\":{\"a\":1}}", "{\"Records\":\"x\"}", "[]",
                "{\"Other\":[1,2]}")) {
            BatchProcessor.DecodedBatch batch = plainMapper.readValue(json, BatchProcessor.DecodedBatch.class);

            assertEquals(new BatchProcessor.DecodedBatch(List.of(), 0, 0), batch, json);
        }
    }

    @Test
    void should_skip_other_fields_and_take_the_last_Records_like_the_tree() throws IOException {
        // given
        String json = "{\"before\":{\"Records\":[" + record("x", "1", "1", "{\"N\":\"1\"}") + "]},"
                + "\"Records\":[" + record("a", "100", "1796033700", "{\"N\":\"1\"}") + "],"
                + "\"between\":[[{}],{\"deep\":[null]}],"
                + "\"Records\":[" + record("b", "200", "1796033700", "{\"N\":\"2\"}") + "],\"after\":true}";

        // when
        BatchProcessor.DecodedBatch batch = plainMapper.readValue(json, BatchProcessor.DecodedBatch.class);

        // then
        assertEquals(List.of("b"), batch.records().stream().map(StreamRecord::eventId).toList());
        assertEquals(whole(json), batch);
    }

    private static String batch(String... records) {
        return "{\"Records\":[" + String.join(",", records) + "]}";
    }

    private static String record(String eventId, String sequenceNumber, String creationTime, String threadsCount) {
        return """
                {
                  "eventID": "%s",
                  "eventName": "INSERT",
                  "eventSource": "aws:dynamodb",
                  "dynamodb": {
                    "ApproximateCreationDateTime": %s,
                    "Keys": {"id": {"N": "7"}},
                    "NewImage": {"id": {"N": "7"}, "threadsCount": %s},
                    "SequenceNumber": "%s",
                    "StreamViewType": "NEW_AND_OLD_IMAGES"
                  }
                }
                """.formatted(eventId, creationTime, threadsCount, sequenceNumber);
    }

    /** The batch read as one tree with exact decimals, then decoded record by record. */
    static BatchProcessor.DecodedBatch whole(String json) throws IOException {
        JsonNode root = EXACT.readTree(json);
        JsonNode records = root == null ? null : root.get("Records");
        BatchProcessor.Decoder decoder = new BatchProcessor.Decoder();
        if (records != null && records.isArray()) {
            records.forEach(decoder::add);
        }
        return decoder.batch();
    }
}
