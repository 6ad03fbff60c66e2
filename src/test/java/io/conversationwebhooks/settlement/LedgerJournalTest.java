package io.conversationwebhooks.settlement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerKey;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.parking.DeliveryParking;
import io.conversationwebhooks.parking.RetryQueue;
import io.conversationwebhooks.parking.RetrySchedule;
import io.conversationwebhooks.stream.ConversationImage;
import io.conversationwebhooks.stream.OperationType;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.CapturedLogs;
import io.conversationwebhooks.testing.DynamoDbEmulator;
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
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The ledger journal's record journal driven directly, one settle at a time, against a real ledger table created from
 * template.yaml: what is held back, when it is written, and in which order a subscriber's writes happen.
 */
class LedgerJournalTest {

    private static final String STREAM_ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/conversations/stream/2026-11-30T00:00:00.000";

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static String table;
    private static String queueUrl;

    private final ExecutorService pool = LedgerJournal.newPool(LedgerJournal.LEDGER_THREADS);
    private DeliveryLedger ledger;
    private DeliveryParking parking;

    @BeforeAll
    static void startEmulator() {
        emulator = DynamoDbEmulator.start();
        dynamoDb = emulator.dynamoDb();
        table = "deliveries-" + UUID.randomUUID().toString().substring(0, 8);
        TemplateTables.create(dynamoDb, "DeliveriesTable", table);
        sqs = emulator.sqs();
        queueUrl = TemplateTables.createQueue(sqs, "DeliveryRetryQueue", "retry-" + UUID.randomUUID().toString()
                .substring(0, 8) + ".fifo");
    }

    @AfterAll
    static void stopEmulator() {
        dynamoDb.close();
        sqs.close();
        emulator.close();
    }

    @BeforeEach
    void setUp() {
        ledger = new DeliveryLedger(dynamoDb, table, Duration.ofDays(3), Duration.ofDays(14), Clock.systemUTC());
        parking = new DeliveryParking(ledger, new RetryQueue(sqs, queueUrl),
                new RetrySchedule(List.of(Duration.ofMinutes(1)), Duration.ofMinutes(5)), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void a_subscribers_held_success_reaches_its_health_before_its_later_410_even_while_another_row_writes_it()
            throws Exception {
        // given: subscriber B's first delivery held back, and a health whose success write is slow, long enough for a
        // concurrent write of B's health to overtake it if nothing orders them
        String a = "a-" + UUID.randomUUID();
        String b = "b-" + UUID.randomUUID();
        List<String> healthWrites = new CopyOnWriteArrayList<>();
        CountDownLatch successStarted = new CountDownLatch(1);
        CountDownLatch disabled = new CountDownLatch(1);
        SubscriptionHealth health = new SubscriptionHealth() {
            @Override
            public Optional<Instant> succeeded(String subscriptionId) {
                successStarted.countDown();
                awaitQuietly(disabled, Duration.ofSeconds(2));
                healthWrites.add("succeeded " + subscriptionId);
                return Optional.empty();
            }

            @Override
            public boolean disable(String subscriptionId, String reason) {
                healthWrites.add("disabled " + subscriptionId);
                if (subscriptionId.equals(b)) {
                    disabled.countDown();
                }
                return true;
            }
        };
        LedgerJournal journal = new LedgerJournal(ledger, parking, health, OperationsReport.NONE, pool);
        StreamRecord record = record("4421584500000000017450439091");
        WebhookRequest toA = request("msg_" + record.sequenceNumber() + "_3", ConversationEvent.STATUS, a);
        WebhookRequest firstToB = request("msg_" + record.sequenceNumber() + "_2", ConversationEvent.ASSIGNED, b);
        WebhookRequest secondToB = request("msg_" + record.sequenceNumber() + "_3", ConversationEvent.STATUS, b);
        DeliveryJournal.BatchJournal batch = journal.forBatch(List.of());
        DeliveryJournal.RecordJournal opened = batch.open(record, List.of(toA, firstToB, secondToB))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(DeliveryJournal.Disposition.HANDLED,
                opened.settle(firstToB, new DeliveryOutcome.Delivered(200, 1, 5)).await().atMost(Duration.ofSeconds(10)));

        // when: A's 410 row has what is held (B's success) written first and, while B's success is being written, B's
        // next delivery is answered 410 Gone too
        CompletableFuture<DeliveryJournal.Disposition> goneA = opened.settle(toA, new DeliveryOutcome.Gone(1))
                .subscribeAsCompletionStage().toCompletableFuture();
        assertTrue(successStarted.await(10, TimeUnit.SECONDS), "B's held success is being written");
        DeliveryJournal.Disposition gone = opened.settle(secondToB, new DeliveryOutcome.Gone(1))
                .await().atMost(Duration.ofSeconds(10));
        opened.close().await().atMost(Duration.ofSeconds(10));
        batch.finished().await().atMost(Duration.ofSeconds(10));

        // then: B's health sees its success, then its 410, as they happened; both are in the ledger
        assertEquals(DeliveryJournal.Disposition.HANDLED, goneA.get(10, TimeUnit.SECONDS));
        assertEquals(DeliveryJournal.Disposition.HANDLED, gone);
        assertEquals(List.of("succeeded " + b, "disabled " + b),
                healthWrites.stream().filter(write -> write.endsWith(" " + b)).toList(), healthWrites.toString());
        assertEquals(LedgerOutcome.DELIVERED, ledger.get(new LedgerKey(firstToB.webhookId(), b)).orElseThrow().outcome());
        assertEquals(LedgerOutcome.SKIPPED, ledger.get(new LedgerKey(secondToB.webhookId(), b)).orElseThrow().outcome());
    }

    @Test
    void a_held_outcome_that_cannot_be_written_is_logged_alone_and_the_others_are_recorded() {
        // given: transactions that conflict, so the record's outcomes are written one by one, and one PutItem failing
        String a = "a-" + UUID.randomUUID();
        String b = "b-" + UUID.randomUUID();
        StreamRecord record = record("4421584500000000017450439092");
        WebhookRequest toA = request("msg_" + record.sequenceNumber() + "_3", ConversationEvent.STATUS, a);
        WebhookRequest toB = request("msg_" + record.sequenceNumber() + "_3", ConversationEvent.STATUS, b);
        ExecutionInterceptor faults = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest) {
                    throw TransactionConflictException.builder().message("simulated conflicting transaction").build();
                }
                if (context.request() instanceof PutItemRequest put && put.item().get("subscriptionId").s().equals(a)) {
                    throw ProvisionedThroughputExceededException.builder().message("simulated throttling").build();
                }
            }
        };

        try (DynamoDbClient faulty = DynamoDbClient.builder().endpointOverride(emulator.endpoint())
                .region(Region.of(DynamoDbEmulator.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbEmulator.ACCESS_KEY, DynamoDbEmulator.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(faults)).build();
                CapturedLogs logs = CapturedLogs.capture()) {
            DeliveryLedger faultyLedger = new DeliveryLedger(faulty, table, Duration.ofDays(3), Duration.ofDays(14),
                    Clock.systemUTC());
            LedgerJournal journal = new LedgerJournal(faultyLedger, null, SubscriptionHealth.NONE, OperationsReport.NONE,
                    pool);
            DeliveryJournal.BatchJournal batch = journal.forBatch(List.of());
            DeliveryJournal.RecordJournal opened = batch.open(record, List.of(toA, toB)).await()
                    .atMost(Duration.ofSeconds(10));

            // when
            opened.settle(toA, new DeliveryOutcome.Delivered(200, 1, 5)).await().atMost(Duration.ofSeconds(10));
            opened.settle(toB, new DeliveryOutcome.Delivered(204, 1, 6)).await().atMost(Duration.ofSeconds(10));
            opened.close().await().atMost(Duration.ofSeconds(10));
            batch.finished().await().atMost(Duration.ofSeconds(10));

            // then: B's outcome is recorded; only A's is reported as not recorded
            assertEquals(LedgerOutcome.DELIVERED, ledger.get(new LedgerKey(toB.webhookId(), b)).orElseThrow().outcome());
            assertTrue(ledger.get(new LedgerKey(toA.webhookId(), a)).isEmpty());
            List<String> errors = logs.lines().stream().filter(line -> line.contains("cannot be recorded")).toList();
            assertEquals(1, errors.size(), logs.text());
            assertTrue(errors.get(0).startsWith("ERROR") && errors.get(0).contains("subscription " + a)
                    && errors.get(0).contains("simulated throttling"), errors.get(0));
        }
    }

    private static StreamRecord record(String sequenceNumber) {
        ConversationImage image = new ConversationImage(Map.of("id", AttributeValue.fromN("42"),
                "status", AttributeValue.fromN("3"), "state", AttributeValue.fromN("2")));
        return new StreamRecord("event-" + sequenceNumber, OperationType.MODIFY, STREAM_ARN, sequenceNumber, null, "42",
                image, image);
    }

    private static WebhookRequest request(String webhookId, ConversationEvent event, String subscriptionId) {
        Subscription subscription = new Subscription(subscriptionId, "https://receiver.example/" + subscriptionId,
                Set.of(), Set.of(), WebhookSecret.of("whsec_dGVzdCBzZWNyZXQgb2YgdGhlIGpvdXJuYWwgdGVzdA=="), true);
        return new WebhookRequest(webhookId, "42", event, subscription, "{}".getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitQuietly(CountDownLatch latch, Duration bound) {
        try {
            latch.await(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
