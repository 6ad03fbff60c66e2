package io.conversationwebhooks.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.testing.CapturedLogs;

/** A batch read through the function's own deserializer: exact numbers, stream order, one bad record on its own. */
class StreamsEventTest {

    /** A plain mapper, as a caller that knows nothing about exact decimals would configure it. */
    private final ObjectMapper plainMapper = new ObjectMapper();

    @Test
    void should_keep_ApproximateCreationDateTime_exact_through_a_plain_ObjectMapper() throws IOException {
        // given
        BigDecimal exact = new BigDecimal("1796033700.123456789");
        // the value has more digits than a double holds, so any detour through double would change it
        assertNotEquals(exact, new BigDecimal(exact.doubleValue()));
        String json = batch(record("1", "100", exact.toPlainString(), "{\"N\":\"1\"}"));

        // when
        StreamRecord record = read(json).records().get(0);

        // then
        assertEquals(exact, record.approximateCreationDateTime());
        assertEquals("1796033700.123456789", record.approximateCreationDateTime().toPlainString());
    }

    @Test
    void should_keep_every_digit_of_a_big_N_value() throws IOException {
        String big = "12345678901234567890123456789.000000001"; // 38 significant digits, DynamoDB's maximum
        String json = batch(record("1", "100", "1796033700", "{\"N\":\"" + big + "\"}"));

        StreamRecord record = read(json).records().get(0);

        assertEquals(big, record.newImage().attributes().get("threadsCount").n());
    }

    @Test
    void should_keep_the_records_in_stream_order() throws IOException {
        String json = batch(record("a", "300", "1796033700", "{\"N\":\"1\"}"),
                record("b", "100", "1796033700", "{\"N\":\"1\"}"), record("c", "200", "1796033700", "{\"N\":\"1\"}"));

        BatchProcessor.DecodedBatch batch = read(json);

        assertEquals(List.of("a", "b", "c"), batch.records().stream().map(StreamRecord::eventId).toList());
    }

    @Test
    void should_read_a_batch_without_Records_as_empty() throws IOException {
        assertEquals(List.of(), read("{}").records());
        assertEquals(0, read("{}").size());
        assertEquals(List.of(), read("{\"Records\":null}").records());
        assertEquals(0, read("{\"Records\":null}").size());
    }

    @Test
    void should_keep_a_malformed_record_as_its_own_element_so_the_others_still_decode() throws IOException {
        // given: the second record has an image that is not DynamoDB JSON
        String json = batch(record("a", "100", "1796033700", "{\"N\":\"1\"}"),
                record("b", "200", "1796033700", "{\"N\":\"one\"}"));

        // when
        BatchProcessor.DecodedBatch batch;
        String log;
        try (CapturedLogs logs = CapturedLogs.capture()) {
            batch = read(json);
            log = logs.text();
        }

        // then: both were read, the first decodes, the second is counted and reported by its sequence number
        assertEquals(2, batch.size());
        assertEquals(List.of("a"), batch.records().stream().map(StreamRecord::eventId).toList());
        assertEquals(1, batch.malformed());
        assertTrue(log.contains("200"), log);
    }

    @Test
    void should_read_the_sample_mixed_batch_in_order() throws IOException {
        List<StreamRecord> records = plainMapper.readValue(Path.of("events", "mixed-batch.json").toFile(),
                BatchProcessor.DecodedBatch.class).records();

        // events/README.md: 7 MODIFY records of conversations 101, 102, 103 interleaved, sequence numbers increasing
        assertEquals(List.of("101", "102", "103", "101", "102", "103", "101"),
                records.stream().map(StreamRecord::conversationId).toList());
        for (int i = 1; i < records.size(); i++) {
            BigDecimal previous = new BigDecimal(records.get(i - 1).sequenceNumber());
            BigDecimal current = new BigDecimal(records.get(i).sequenceNumber());
            assertEquals(1, current.compareTo(previous), "sequence number of record " + i);
        }
    }

    /** Reads a batch the way the function does: {@link StreamsEvent.DecodingDeserializer}. */
    private BatchProcessor.DecodedBatch read(String json) throws IOException {
        return plainMapper.readValue(json, BatchProcessor.DecodedBatch.class);
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
}
