package io.conversationwebhooks.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;

/** Ordering, concurrency bound and failure reporting of a batch, with a scripted record handler. */
class BatchProcessorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void records_of_one_conversation_run_in_stream_order_one_at_a_time() {
        // given: 3 conversations x 4 records; later records finish faster, so running them at once would reorder them
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(record("conversation-order-" + i, String.valueOf(100 + i % 3), i));
        }
        Map<String, List<String>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        RecordHandler handler = record -> {
            AtomicInteger inFlight = running.computeIfAbsent(record.conversationId(), id -> new AtomicInteger());
            if (inFlight.incrementAndGet() > 1) {
                overlaps.add(record.sequenceNumber());
            }
            seen.computeIfAbsent(record.conversationId(), id -> Collections.synchronizedList(new ArrayList<>()))
                    .add(record.sequenceNumber());
            return Uni.createFrom().item(RecordHandler.Outcome.HANDLED)
                    .onItem().delayIt().by(Duration.ofMillis(5 * (4 - Integer.parseInt(record.sequenceNumber()) / 3)))
                    .invoke(() -> inFlight.decrementAndGet());
        };

        // when
        BatchResult result = process(records, handler, 8);

        // then
        assertEquals(List.of(), result.failedSequenceNumbers());
        assertEquals(List.of(), overlaps, "two records of one conversation ran at once");
        assertEquals(List.of("0", "3", "6", "9"), seen.get("100"));
        assertEquals(List.of("1", "4", "7", "10"), seen.get("101"));
        assertEquals(List.of("2", "5", "8", "11"), seen.get("102"));
    }

    @Test
    void no_more_conversations_than_the_bound_are_in_flight() {
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(record("bound-" + i, String.valueOf(i), i));
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger highest = new AtomicInteger();
        RecordHandler handler = record -> Uni.createFrom().item(RecordHandler.Outcome.HANDLED)
                .invoke(() -> highest.accumulateAndGet(inFlight.incrementAndGet(), Math::max))
                .onItem().delayIt().by(Duration.ofMillis(10))
                .invoke(() -> inFlight.decrementAndGet());

        process(records, handler, 4);

        assertEquals(4, highest.get(), "the bound is reached and never passed");
    }

    @Test
    void a_failed_record_holds_back_the_rest_of_its_conversation_only() {
        // given: conversation 7's second record fails
        List<JsonNode> records = List.of(record("a", "7", 1), record("b", "8", 2), record("c", "7", 3),
                record("d", "7", 4), record("e", "8", 5));
        List<String> handled = Collections.synchronizedList(new ArrayList<>());
        RecordHandler handler = record -> {
            handled.add(record.sequenceNumber());
            return Uni.createFrom().item(record.sequenceNumber().equals("3") ? RecordHandler.Outcome.FAILED
                    : RecordHandler.Outcome.HANDLED);
        };

        // when
        BatchResult result = process(records, handler, 2);

        // then
        assertEquals(List.of("3", "4"), result.failedSequenceNumbers());
        assertEquals(1, result.failed());
        assertEquals(1, result.heldBack());
        assertEquals(Set.of("1", "2", "3", "5"), Set.copyOf(handled), "record 4 was never attempted");
    }

    @Test
    void failures_are_reported_in_stream_order_across_conversations() {
        List<JsonNode> records = List.of(record("a", "1", 10), record("b", "2", 11), record("c", "1", 12),
                record("d", "2", 13));
        RecordHandler handler = record -> Uni.createFrom().item(RecordHandler.Outcome.FAILED);

        BatchResult result = process(records, handler, 2);

        assertEquals(List.of("10", "11", "12", "13"), result.failedSequenceNumbers());
    }

    @Test
    void a_handler_that_throws_fails_the_record_and_one_that_finds_it_malformed_skips_it() {
        List<JsonNode> records = List.of(record("a", "1", 1), record("b", "1", 2), record("c", "2", 3),
                record("d", "2", 4));
        RecordHandler handler = record -> switch (record.sequenceNumber()) {
            case "1" -> throw new MalformedRecordException(record.eventId(), record.sequenceNumber(), "cannot map");
            case "3" -> throw new IllegalStateException("bug");
            default -> Uni.createFrom().item(RecordHandler.Outcome.HANDLED);
        };

        BatchResult result = process(records, handler, 2);

        assertEquals(List.of("3", "4"), result.failedSequenceNumbers(),
                "malformed 1 does not hold back 2; the failure of 3 holds back 4");
        assertEquals(1, result.malformed());
    }

    @Test
    void a_key_with_an_absurd_exponent_is_malformed_not_a_crash() {
        ObjectNode huge = (ObjectNode) record("x", "5", 1);
        ((ObjectNode) huge.get("dynamodb").get("Keys").get("id")).put("N", "1e2147483647");
        List<String> handled = new ArrayList<>();

        BatchResult result = process(List.of(huge, record("y", "6", 2)), record -> {
            handled.add(record.sequenceNumber());
            return Uni.createFrom().item(RecordHandler.Outcome.HANDLED);
        }, 1);

        assertEquals(List.of(), result.failedSequenceNumbers());
        assertEquals(1, result.malformed());
        assertEquals(List.of("2"), handled);
    }

    @Test
    void malformed_records_are_counted_and_never_reported() {
        ObjectNode noKey = (ObjectNode) record("x", "5", 1);
        ((ObjectNode) noKey.get("dynamodb")).remove("Keys");
        List<JsonNode> records = List.of(noKey, record("y", "6", 2));
        List<String> handled = new ArrayList<>();

        BatchResult result = process(records, record -> {
            handled.add(record.sequenceNumber());
            return Uni.createFrom().item(RecordHandler.Outcome.HANDLED);
        }, 1);

        assertEquals(List.of(), result.failedSequenceNumbers());
        assertEquals(1, result.malformed());
        assertEquals(2, result.records());
        assertEquals(List.of("2"), handled);
    }

    @Test
    void at_the_deadline_only_unfinished_conversations_are_reported_from_their_first_unfinished_record() {
        // given: conversation 1 finishes; conversation 2's second record never answers
        List<JsonNode> records = List.of(record("a", "1", 1), record("b", "2", 2), record("c", "1", 3),
                record("d", "2", 4), record("e", "2", 5));
        RecordHandler handler = record -> record.sequenceNumber().equals("4") ? Uni.createFrom().emitter(emitter -> {
        }) : Uni.createFrom().item(RecordHandler.Outcome.HANDLED);

        // when
        BatchProcessor processor = new BatchProcessor(2, Clock.systemUTC());
        BatchResult result = processor.process(decoded(records), handler,
                Instant.now().plusMillis(200));

        // then
        assertEquals(List.of("4", "5"), result.failedSequenceNumbers());
        assertEquals(0, result.failed());
        assertEquals(2, result.heldBack());
    }

    @Test
    void the_handler_is_prepared_once_with_every_record_before_any_is_handled_and_a_failing_prepare_costs_nothing() {
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(record("prepared-" + i, String.valueOf(200 + i % 2), i));
        }
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        RecordHandler preparing = new RecordHandler() {
            @Override
            public void prepare(List<StreamRecord> batch) {
                calls.add("prepare " + batch.stream().map(StreamRecord::sequenceNumber).toList());
            }

            @Override
            public Uni<Outcome> handle(StreamRecord record) {
                calls.add("handle " + record.sequenceNumber());
                return Uni.createFrom().item(Outcome.HANDLED);
            }
        };
        RecordHandler failingToPrepare = new RecordHandler() {
            @Override
            public void prepare(List<StreamRecord> batch) {
                throw new IllegalStateException("simulated failure to read ahead");
            }

            @Override
            public Uni<Outcome> handle(StreamRecord record) {
                calls.add("handle after failed prepare " + record.sequenceNumber());
                return Uni.createFrom().item(Outcome.HANDLED);
            }
        };

        BatchResult prepared = process(records, preparing, 4);
        List<String> first = List.copyOf(calls);
        calls.clear();
        BatchResult unprepared = process(records, failingToPrepare, 4);

        assertEquals(List.of(), prepared.failedSequenceNumbers());
        assertEquals("prepare [0, 1, 2, 3, 4, 5]", first.get(0));
        assertEquals(7, first.size(), "prepared once, each record handled once: " + first);
        assertEquals(List.of(), unprepared.failedSequenceNumbers());
        assertEquals(6, calls.size(), "every record handled after a failed prepare: " + calls);
    }

    private static BatchResult process(List<JsonNode> records, RecordHandler handler, int bound) {
        BatchProcessor processor = new BatchProcessor(bound, Clock.systemUTC());
        return processor.process(decoded(records), handler, Instant.now().plusSeconds(30));
    }

    /** A MODIFY record of the conversation with the given id and sequence number. */
    private static JsonNode record(String eventId, String conversationId, int sequenceNumber) {
        ObjectNode record = JSON.createObjectNode();
        record.put("eventID", eventId);
        record.put("eventName", "MODIFY");
        record.put("eventSource", "aws:dynamodb");
        ObjectNode dynamodb = record.putObject("dynamodb");
        dynamodb.putObject("Keys").putObject("id").put("N", conversationId);
        dynamodb.putObject("OldImage").putObject("id").put("N", conversationId);
        dynamodb.putObject("NewImage").putObject("id").put("N", conversationId);
        dynamodb.put("SequenceNumber", String.valueOf(sequenceNumber));
        dynamodb.put("StreamViewType", "NEW_AND_OLD_IMAGES");
        return record;
    }

    /** The records as the function's deserializer decodes them ({@link StreamsEvent.DecodingDeserializer}). */
    private static BatchProcessor.DecodedBatch decoded(List<JsonNode> records) {
        BatchProcessor.Decoder decoder = new BatchProcessor.Decoder();
        records.forEach(decoder::add);
        return decoder.batch();
    }
}
