package io.conversationwebhooks.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.MutableClock;
import io.conversationwebhooks.testing.TemplateTables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/** The ledger's conditional writes, pair items and dead-letter index on a real table created from template.yaml. */
class DeliveryLedgerTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;
    private static String table;

    private final MutableClock clock = new MutableClock(T0);
    private DeliveryLedger ledger;
    private String subscription;

    @BeforeAll
    static void startEmulator() {
        emulator = DynamoDbEmulator.start();
        dynamoDb = emulator.dynamoDb();
        table = "deliveries-" + UUID.randomUUID().toString().substring(0, 8);
        TemplateTables.create(dynamoDb, "DeliveriesTable", table);
    }

    @AfterAll
    static void stopEmulator() {
        dynamoDb.close();
        emulator.close();
    }

    @BeforeEach
    void setUp() {
        ledger = new DeliveryLedger(dynamoDb, table, Duration.ofDays(3), Duration.ofDays(14), clock);
        subscription = "sub-" + UUID.randomUUID();
    }

    @Test
    void the_first_outcome_wins_and_a_second_is_refused() {
        LedgerDelivery delivery = delivery("msg_a", "100", "convo.status");

        assertTrue(ledger.recordFirst(delivery, LedgerOutcome.DELIVERED, new Progress(2, 204, null, 35)));
        assertFalse(ledger.recordFirst(delivery, LedgerOutcome.SKIPPED, new Progress(0, 0, "refused", 0)));
        assertFalse(ledger.recordParked(delivery, Progress.NONE, T0, 1));

        LedgerEntry entry = ledger.get(delivery.key()).orElseThrow();
        assertEquals(LedgerOutcome.DELIVERED, entry.outcome());
        assertEquals(new Progress(2, 204, null, 35), entry.progress());
        assertEquals(delivery, entry.delivery());
        Map<String, AttributeValue> item = raw(delivery.key());
        assertEquals(T0.toString(), item.get("createdAt").s());
        assertEquals(Long.toString(T0.plus(Duration.ofDays(3)).getEpochSecond()), item.get("expiresAt").n());
    }

    @Test
    void only_a_parked_delivery_can_be_finished() {
        LedgerDelivery delivery = delivery("msg_b", "200", "convo.created");
        ledger.recordParked(delivery, new Progress(3, 503, "HTTP 503", 0), T0.plusSeconds(5), 1);
        clock.advance(Duration.ofSeconds(7));

        assertTrue(ledger.reschedule(delivery, new Progress(4, 500, "HTTP 500", 0), T0.plusSeconds(300), 2));
        LedgerEntry rescheduled = ledger.get(delivery.key()).orElseThrow();
        assertEquals(LedgerOutcome.PARKED, rescheduled.outcome());
        assertEquals(T0.plusSeconds(300), rescheduled.nextAttemptAt());
        assertEquals(2, rescheduled.retryStep());

        assertTrue(ledger.finish(delivery, LedgerOutcome.DELIVERED, new Progress(5, 200, null, 12), null));
        assertFalse(ledger.finish(delivery, LedgerOutcome.DEAD_LETTERED, new Progress(6, 500, "HTTP 500", 0), new byte[1]));
        assertFalse(ledger.reschedule(delivery, new Progress(6, 500, "HTTP 500", 0), T0, 3));

        LedgerEntry finished = ledger.get(delivery.key()).orElseThrow();
        assertEquals(LedgerOutcome.DELIVERED, finished.outcome());
        assertEquals(new Progress(5, 200, null, 12), finished.progress());
        assertNull(finished.nextAttemptAt());
        assertEquals(T0.toString(), raw(delivery.key()).get("createdAt").s(), "createdAt is kept");
        assertThrows(IllegalArgumentException.class,
                () -> ledger.finish(delivery, LedgerOutcome.PARKED, Progress.NONE, null));
    }

    @Test
    void a_delivery_the_ledger_lost_can_still_be_finished() {
        LedgerDelivery delivery = delivery("msg_c", "300", "convo.moved");

        assertTrue(ledger.finish(delivery, LedgerOutcome.SKIPPED, new Progress(1, 410, "HTTP 410 Gone", 0), null));

        LedgerEntry entry = ledger.get(delivery.key()).orElseThrow();
        assertEquals(LedgerOutcome.SKIPPED, entry.outcome());
        assertEquals(delivery, entry.delivery());
    }

    @Test
    void pair_items_count_each_parked_delivery_once_and_are_never_created_by_a_removal() {
        LedgerKey pair = LedgerKey.pair("table#42", subscription);

        ledger.addParked(pair, "msg_1");
        ledger.addParked(pair, "msg_1");
        ledger.addParked(pair, "msg_2");
        assertEquals(Set.of("msg_1", "msg_2"), ledger.read(List.of(pair)).get(pair).parked());

        ledger.removeParked(pair, "msg_1");
        ledger.removeParked(pair, "msg_1");
        assertEquals(Set.of("msg_2"), ledger.read(List.of(pair)).get(pair).parked());
        ledger.removeParked(pair, "msg_2");
        assertEquals(Set.of(), ledger.read(List.of(pair)).get(pair).parked());

        LedgerKey other = LedgerKey.pair("table#43", subscription);
        ledger.removeParked(other, "msg_9");
        assertTrue(ledger.get(other).isEmpty());
    }

    @Test
    void every_turn_of_a_parked_delivery_keeps_it_and_its_pair_item_past_the_original_retention() {
        // given: a delivery parked at T0 behind nothing yet, with a 3-day retention
        LedgerDelivery delivery = delivery("msg_k", "400", "convo.status");
        ledger.addParked(delivery.pairKey(), delivery.webhookId());
        ledger.recordParked(delivery, Progress.NONE, T0, 1);
        String originalExpiry = Long.toString(T0.plus(Duration.ofDays(3)).getEpochSecond());
        assertEquals(originalExpiry, raw(delivery.pairKey()).get("expiresAt").n());

        // when: the retry function puts it back two days later
        clock.advance(Duration.ofDays(2));
        ledger.keepParked(delivery);

        // then: both items live three days from now
        String kept = Long.toString(T0.plus(Duration.ofDays(5)).getEpochSecond());
        assertEquals(kept, raw(delivery.key()).get("expiresAt").n());
        assertEquals(kept, raw(delivery.pairKey()).get("expiresAt").n());

        // when: two more days later it is rescheduled, then finished
        clock.advance(Duration.ofDays(2));
        ledger.reschedule(delivery, new Progress(1, 500, "HTTP 500", 0), clock.instant().plusSeconds(60), 2);
        ledger.keepPair(delivery.pairKey());
        String rescheduled = Long.toString(T0.plus(Duration.ofDays(7)).getEpochSecond());
        assertEquals(rescheduled, raw(delivery.key()).get("expiresAt").n());
        assertEquals(rescheduled, raw(delivery.pairKey()).get("expiresAt").n());
        clock.advance(Duration.ofDays(1));
        ledger.finish(delivery, LedgerOutcome.DELIVERED, new Progress(2, 200, null, 5), null);
        ledger.removeParked(delivery.pairKey(), delivery.webhookId());

        // then: the pair item lives on from its last touch
        assertEquals(Long.toString(T0.plus(Duration.ofDays(8)).getEpochSecond()), raw(delivery.pairKey()).get("expiresAt").n());
    }

    @Test
    void keeping_alive_touches_neither_a_finished_delivery_nor_an_absent_item() {
        LedgerDelivery delivery = delivery("msg_f", "500", "convo.status");
        ledger.recordFirst(delivery, LedgerOutcome.DELIVERED, new Progress(1, 200, null, 3));
        clock.advance(Duration.ofDays(1));

        ledger.keepParked(delivery);

        assertEquals(Long.toString(T0.plus(Duration.ofDays(3)).getEpochSecond()), raw(delivery.key()).get("expiresAt").n());
        assertTrue(ledger.get(delivery.pairKey()).isEmpty(), "no pair item is created");
    }

    @Test
    void a_records_first_outcomes_are_written_together_and_items_that_exist_are_left_as_they_were() {
        LedgerDelivery parkedBefore = delivery("msg_t1", "200", "convo.status");
        LedgerDelivery delivered = delivery("msg_t2", "200", "convo.assigned");
        LedgerDelivery skipped = delivery("msg_t3", "200", "convo.moved");
        Instant nextAttempt = T0.plusSeconds(60);
        assertTrue(ledger.recordParked(parkedBefore, new Progress(3, 503, "HTTP 503", 0), nextAttempt, 2));
        clock.advance(Duration.ofSeconds(5));

        Set<LedgerKey> existing = ledger.recordAllFirst(List.of(
                new DeliveryLedger.FirstOutcome(parkedBefore, LedgerOutcome.DELIVERED, new Progress(1, 200, null, 9)),
                new DeliveryLedger.FirstOutcome(delivered, LedgerOutcome.DELIVERED, new Progress(2, 204, null, 41)),
                new DeliveryLedger.FirstOutcome(skipped, LedgerOutcome.SKIPPED, new Progress(0, 0, "refused", 0))));

        assertEquals(Set.of(parkedBefore.key()), existing);
        LedgerEntry parked = ledger.get(parkedBefore.key()).orElseThrow();
        assertEquals(LedgerOutcome.PARKED, parked.outcome());
        assertEquals(new Progress(3, 503, "HTTP 503", 0), parked.progress());
        assertEquals(nextAttempt, parked.nextAttemptAt());
        LedgerEntry first = ledger.get(delivered.key()).orElseThrow();
        assertEquals(LedgerOutcome.DELIVERED, first.outcome());
        assertEquals(new Progress(2, 204, null, 41), first.progress());
        assertEquals(delivered, first.delivery());
        assertEquals(T0.plusSeconds(5).toString(), raw(delivered.key()).get("createdAt").s());
        LedgerEntry second = ledger.get(skipped.key()).orElseThrow();
        assertEquals(LedgerOutcome.SKIPPED, second.outcome());
        assertEquals(new Progress(0, 0, "refused", 0), second.progress());
        assertEquals(Set.of(delivered.key(), skipped.key()), ledger.recordAllFirst(List.of(
                new DeliveryLedger.FirstOutcome(delivered, LedgerOutcome.SKIPPED, Progress.NONE),
                new DeliveryLedger.FirstOutcome(skipped, LedgerOutcome.DELIVERED, Progress.NONE))),
                "a second write of the same outcomes changes nothing");
        assertEquals(LedgerOutcome.DELIVERED, ledger.get(delivered.key()).orElseThrow().outcome());
    }

    @Test
    void more_first_outcomes_than_one_transaction_holds_are_all_written() {
        List<DeliveryLedger.FirstOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            outcomes.add(new DeliveryLedger.FirstOutcome(delivery("msg_w" + i, Integer.toString(3000 + i), "convo.status"),
                    LedgerOutcome.DELIVERED, new Progress(1, 200, null, i + 1)));
        }

        Set<LedgerKey> existing = ledger.recordAllFirst(outcomes);

        assertEquals(Set.of(), existing);
        Map<LedgerKey, LedgerEntry> found = ledger.read(outcomes.stream().map(first -> first.delivery().key()).toList());
        assertEquals(130, found.size());
        for (DeliveryLedger.FirstOutcome first : outcomes) {
            assertEquals(first.progress(), found.get(first.delivery().key()).progress());
        }
    }

    @Test
    void an_outcome_that_cannot_be_written_one_by_one_costs_only_itself() {
        // given: transactions that always conflict, so outcomes are written one by one, and the first of them failing
        LedgerDelivery failing = delivery("msg_p1", "400", "convo.status");
        LedgerDelivery delivered = delivery("msg_p2", "400", "convo.assigned");
        LedgerDelivery skipped = delivery("msg_p3", "400", "convo.moved");
        ExecutionInterceptor faults = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest) {
                    throw TransactionConflictException.builder().message("simulated conflicting transaction").build();
                }
                if (context.request() instanceof PutItemRequest put && put.item().get("webhookId").s().equals("msg_p1")) {
                    throw ProvisionedThroughputExceededException.builder().message("simulated throttling").build();
                }
            }
        };

        // when
        RuntimeException thrown;
        try (DynamoDbClient faulty = clientWith(faults)) {
            DeliveryLedger faultyLedger = new DeliveryLedger(faulty, table, Duration.ofDays(3), Duration.ofDays(14), clock);
            thrown = assertThrows(RuntimeException.class, () -> faultyLedger.recordAllFirst(List.of(
                    new DeliveryLedger.FirstOutcome(failing, LedgerOutcome.DELIVERED, new Progress(1, 200, null, 7)),
                    new DeliveryLedger.FirstOutcome(delivered, LedgerOutcome.DELIVERED, new Progress(1, 204, null, 8)),
                    new DeliveryLedger.FirstOutcome(skipped, LedgerOutcome.SKIPPED, new Progress(0, 0, "refused", 0)))));
        }

        // then: the others are recorded, and the failure names the one that is not
        assertEquals(LedgerOutcome.DELIVERED, ledger.get(delivered.key()).orElseThrow().outcome());
        assertEquals(LedgerOutcome.SKIPPED, ledger.get(skipped.key()).orElseThrow().outcome());
        assertTrue(ledger.get(failing.key()).isEmpty());
        DeliveryLedger.NotRecordedException notRecorded = assertInstanceOf(DeliveryLedger.NotRecordedException.class, thrown);
        assertEquals(Set.of(failing.key()), notRecorded.notRecorded());
        assertEquals(Set.of(), notRecorded.existing());
        assertInstanceOf(ProvisionedThroughputExceededException.class, notRecorded.getCause());
    }

    @Test
    void a_transaction_that_fails_costs_only_its_own_outcomes() {
        // given: 130 outcomes, two transactions' worth, the first of which fails
        List<DeliveryLedger.FirstOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            outcomes.add(new DeliveryLedger.FirstOutcome(delivery("msg_q" + i, Integer.toString(5000 + i), "convo.status"),
                    LedgerOutcome.DELIVERED, new Progress(1, 200, null, i + 1)));
        }
        AtomicInteger transactions = new AtomicInteger();
        ExecutionInterceptor faults = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest && transactions.incrementAndGet() == 1) {
                    throw InternalServerErrorException.builder().message("simulated server error").build();
                }
            }
        };

        // when
        RuntimeException thrown;
        try (DynamoDbClient faulty = clientWith(faults)) {
            DeliveryLedger faultyLedger = new DeliveryLedger(faulty, table, Duration.ofDays(3), Duration.ofDays(14), clock);
            thrown = assertThrows(RuntimeException.class, () -> faultyLedger.recordAllFirst(outcomes));
        }

        // then: the second transaction's outcomes are recorded; the first one's are named as not recorded
        Map<LedgerKey, LedgerEntry> found = ledger.read(outcomes.stream().map(first -> first.delivery().key()).toList());
        assertEquals(outcomes.subList(100, 130).stream().map(first -> first.delivery().key()).collect(Collectors.toSet()),
                found.keySet());
        DeliveryLedger.NotRecordedException notRecorded = assertInstanceOf(DeliveryLedger.NotRecordedException.class, thrown);
        assertEquals(outcomes.subList(0, 100).stream().map(first -> first.delivery().key()).collect(Collectors.toSet()),
                notRecorded.notRecorded());
    }

    @Test
    void the_same_delivery_twice_among_a_records_outcomes_is_recorded_once_the_first_winning() {
        // given: two subscriptions configured with one id, so one record owes two deliveries with the same ledger key
        LedgerDelivery twice = delivery("msg_d1", "600", "convo.status");
        LedgerDelivery other = delivery("msg_d2", "600", "convo.assigned");

        // when
        Set<LedgerKey> existing = ledger.recordAllFirst(List.of(
                new DeliveryLedger.FirstOutcome(twice, LedgerOutcome.DELIVERED, new Progress(1, 200, null, 4)),
                new DeliveryLedger.FirstOutcome(other, LedgerOutcome.DELIVERED, new Progress(1, 200, null, 5)),
                new DeliveryLedger.FirstOutcome(twice, LedgerOutcome.SKIPPED, new Progress(0, 0, "refused", 0))));

        // then
        assertEquals(Set.of(twice.key()), existing, "the second is left to the first, as if another had recorded it");
        assertEquals(new Progress(1, 200, null, 4), ledger.get(twice.key()).orElseThrow().progress());
        assertEquals(LedgerOutcome.DELIVERED, ledger.get(other.key()).orElseThrow().outcome());
    }

    @Test
    void read_returns_what_exists_among_more_keys_than_one_batch_holds() {
        List<LedgerKey> keys = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            LedgerDelivery delivery = delivery("msg_r" + i, Integer.toString(1000 + i), "convo.status");
            keys.add(delivery.key());
            if (i % 3 == 0) {
                ledger.recordFirst(delivery, LedgerOutcome.DELIVERED, new Progress(1, 200, null, 1));
            }
        }

        Map<LedgerKey, LedgerEntry> found = ledger.read(keys);

        assertEquals(50, found.size());
        assertTrue(found.keySet().stream().allMatch(key -> Integer.parseInt(key.webhookId().substring(5)) % 3 == 0));
    }

    @Test
    void dead_letters_come_back_in_stream_order_with_their_body_until_replayed() {
        byte[] body = "{\"id\":7,\"subject\":\"Grüße\"}".getBytes(StandardCharsets.UTF_8);
        // sequence numbers of different lengths: text order would put "9" last
        dead(delivery("msg_x", "100000000000000000011", "convo.status"), body);
        dead(delivery("msg_y", "9", "convo.status"), body);
        dead(delivery("msg_z", "100000000000000000011", "convo.assigned"), body);
        dead(delivery("msg_w", "100000000000000000002", "convo.created"), body);

        List<LedgerEntry> deadLetters = ledger.deadLetters(subscription);

        assertEquals(List.of("msg_y", "msg_w", "msg_z", "msg_x"), deadLetters.stream().map(e -> e.key().webhookId()).toList(),
                "by sequence number, then convo.assigned before convo.status as CONTRACT section 5 orders them");
        assertArrayEquals(body, deadLetters.get(0).body());
        assertEquals(Long.toString(T0.plus(Duration.ofDays(14)).getEpochSecond()), raw(deadLetters.get(0).key()).get("expiresAt").n());

        assertTrue(ledger.markReplayed(deadLetters.get(0), new Progress(5, 204, null, 8)));
        assertFalse(ledger.markReplayed(deadLetters.get(0), new Progress(6, 204, null, 8)), "replayed once");
        LedgerEntry replayed = ledger.get(deadLetters.get(0).key()).orElseThrow();
        assertEquals(LedgerOutcome.DELIVERED, replayed.outcome());
        assertFalse(raw(deadLetters.get(0).key()).containsKey("body"), "the body is dropped");
        assertEquals(List.of("msg_w", "msg_z", "msg_x"), ledger.deadLetters(subscription).stream()
                .map(e -> e.key().webhookId()).toList());
    }

    @Test
    void reads_on_the_delivery_path_leave_a_dead_letters_body_in_the_table_and_return_everything_else() {
        // given: a dead letter with a body of 300 KB, as large as a ledger item can hold with room to spare
        byte[] body = "x".repeat(300 * 1024).getBytes(StandardCharsets.UTF_8);
        LedgerDelivery delivery = delivery("msg_big", "700", "convo.status");
        dead(delivery, body);
        Progress progress = new Progress(4, 500, "HTTP 500", 0);

        // when
        LedgerEntry read = ledger.read(List.of(delivery.key())).get(delivery.key());
        LedgerEntry got = ledger.get(delivery.key()).orElseThrow();

        // then
        for (LedgerEntry entry : List.of(read, got)) {
            assertTrue(entry.body() == null, () -> "the body was fetched: " + entry.body().length + " bytes");
            assertEquals(LedgerOutcome.DEAD_LETTERED, entry.outcome());
            assertEquals(delivery, entry.delivery());
            assertEquals(progress, entry.progress());
        }
        assertArrayEquals(body, ledger.deadLetters(subscription).get(0).body(), "replay still gets it");
    }

    @Test
    void reads_on_the_delivery_path_return_a_parked_deliverys_schedule_and_a_pair_items_parked_set() {
        LedgerDelivery delivery = delivery("msg_p", "800", "convo.assigned");
        ledger.addParked(delivery.pairKey(), delivery.webhookId());
        ledger.recordParked(delivery, new Progress(3, 429, "HTTP 429", 0), T0.plusSeconds(30), 2);

        Map<LedgerKey, LedgerEntry> found = ledger.read(List.of(delivery.key(), delivery.pairKey()));

        LedgerEntry parked = found.get(delivery.key());
        assertEquals(LedgerOutcome.PARKED, parked.outcome());
        assertEquals(T0.plusSeconds(30), parked.nextAttemptAt());
        assertEquals(2, parked.retryStep());
        assertEquals(new Progress(3, 429, "HTTP 429", 0), parked.progress());
        assertEquals(Set.of("msg_p"), found.get(delivery.pairKey()).parked());
        assertEquals(parked, ledger.get(delivery.key()).orElseThrow());
    }

    private void dead(LedgerDelivery delivery, byte[] body) {
        ledger.recordParked(delivery, Progress.NONE, T0, 1);
        ledger.finish(delivery, LedgerOutcome.DEAD_LETTERED, new Progress(4, 500, "HTTP 500", 0), body);
    }

    private LedgerDelivery delivery(String webhookId, String sequenceNumber, String event) {
        return new LedgerDelivery(webhookId, subscription, event, "arn:aws:dynamodb:us-east-1:1:table/c#7", sequenceNumber);
    }

    /** A client for the emulator whose requests pass the test's interceptor first. */
    private static DynamoDbClient clientWith(ExecutionInterceptor interceptor) {
        return DynamoDbClient.builder().endpointOverride(emulator.endpoint()).region(Region.of(DynamoDbEmulator.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbEmulator.ACCESS_KEY, DynamoDbEmulator.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor)).build();
    }

    private Map<String, AttributeValue> raw(LedgerKey key) {
        return dynamoDb.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of("webhookId",
                AttributeValue.fromS(key.webhookId()), "subscriptionId", AttributeValue.fromS(key.subscriptionId())))).item();
    }
}
