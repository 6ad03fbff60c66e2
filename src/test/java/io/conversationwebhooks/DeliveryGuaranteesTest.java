package io.conversationwebhooks;

import static io.conversationwebhooks.testing.DeliveryGuaranteesResource.INLINE_ATTEMPTS;
import static io.conversationwebhooks.testing.DeliveryGuaranteesResource.SCHEDULE_STEPS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.RetryPolicy;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.delivery.WebhookDispatcher;
import io.conversationwebhooks.fanout.WebhookDeliveries;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.LedgerKey;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.parking.DeliveryParking;
import io.conversationwebhooks.parking.ParkedDelivery;
import io.conversationwebhooks.replay.ReplayCommand;
import io.conversationwebhooks.retry.DeliveryRetries;
import io.conversationwebhooks.retry.DeliveryRetriesFixture;
import io.conversationwebhooks.retry.SqsBatchResponse;
import io.conversationwebhooks.retry.SqsEvent;
import io.conversationwebhooks.settlement.DeliveryJournal;
import io.conversationwebhooks.settlement.DurableDelivery;
import io.conversationwebhooks.settlement.LedgerJournal;
import io.conversationwebhooks.stream.BatchProcessor;
import io.conversationwebhooks.stream.BatchResult;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.conversationwebhooks.subscription.SubscriptionRepository;
import io.conversationwebhooks.testing.ConversationTable;
import io.conversationwebhooks.testing.ConversationTable.Expected;
import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.conversationwebhooks.testing.CountingProxy;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.InjectHarness;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.RawReceiver;
import io.conversationwebhooks.testing.RawReceiver.Responder;
import io.conversationwebhooks.testing.RetryQueuePoller;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.TemplateTables;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Answered;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The fault-injection suite of the delivery guarantees (README, "Delivery guarantees"): real conversations written
 * through DynamoDB, their stream records handed to the function through the Lambda Runtime API, subscribers that fail
 * on purpose, the ledger in DynamoDB, the FIFO retry queue in SQS, and the retry function fed from that queue the way
 * Lambda's SQS event source does ({@link RetryQueuePoller}).
 *
 * <p>The assertions are invariants, counted by webhook-id: every event reaches every healthy subscriber exactly once and
 * in stream order per conversation; a failing subscriber costs the healthy ones at most one round of inline attempts;
 * what cannot be delivered ends dead-lettered in the ledger with everything needed to replay it, and the replay
 * delivers it in order. Time appears only as generous upper bounds of "not held back" and as lower bounds of waits
 * the subscriber asked for.
 */
@QuarkusTest
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true)
class DeliveryGuaranteesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "whsec_ZmF1bHQgaW5qZWN0aW9uIHRlc3Qgc2VjcmV0IDAwMDE=";
    private static final String EMPTY = "{\"batchItemFailures\":[]}";
    private static final AtomicInteger CONVERSATION_IDS = new AtomicInteger(7000);
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(120);

    @InjectHarness
    DeliveryGuaranteesResource.Harness harness;

    @Inject
    DeliveryRetryFunction retryFunction;

    @Inject
    DurableDelivery durable;

    @Inject
    DeliveryRetries retries;

    @Inject
    WebhookClient webhookClient;

    @Inject
    AddressGuard guard;

    @Inject
    SubscriptionRepository subscriptionRepository;

    @Inject
    DeliveryConfig deliveryConfig;

    @Inject
    RetryConfig retryConfig;

    private DynamoDbClient dynamoDb;
    private DynamoDbStreamsClient streams;
    private SqsClient sqs;
    private ConversationTable conversations;
    private RetryQueuePoller poller;

    @BeforeEach
    void setUp() {
        harness.receiver().reset();
        harness.raw().reset();
        dynamoDb = harness.emulator().dynamoDb();
        streams = harness.emulator().streams();
        sqs = harness.emulator().sqs();
        sqs.purgeQueue(b -> b.queueUrl(harness.retryQueueUrl()));
        dynamoDb.scanPaginator(b -> b.tableName(harness.subscriptionsTable())).items().forEach(item -> dynamoDb
                .deleteItem(b -> b.tableName(harness.subscriptionsTable()).key(Map.of("id", item.get("id")))));
        conversations = new ConversationTable(dynamoDb, streams, harness.conversationsTable(),
                harness.conversationsStreamArn());
        poller = new RetryQueuePoller(sqs, harness.retryQueueUrl(), this::invokeRetryFunction);
    }

    @AfterEach
    void tearDown() {
        dynamoDb.close();
        streams.close();
        sqs.close();
    }

    @Test
    void server_errors_twice_then_200_are_delivered_inline_and_recorded_once() {
        // given
        subscribe("flaky", harness.receiver().url("/flaky"));
        harness.receiver().script("/flaky", Answer.status(503), Answer.status(503), Answer.status(200));
        String id = newConversation();
        conversations.create(id, "1");
        conversations.status(id, 2);
        String event = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(event);

        // when
        String response = LambdaRuntime.invoke(event);

        // then
        assertEquals(EMPTY, response);
        assertDeliveredExactlyOnce(harness.receiver().answered("/flaky"), expected);
        assertEquals(INLINE_ATTEMPTS + 1, harness.receiver().requests("/flaky").size(), "3 attempts, then 1");
        Map<String, AttributeValue> first = ledger(expected.get(0).webhookId(), "flaky");
        assertEquals("delivered", first.get("outcome").s());
        assertEquals("3", first.get("attempts").n());
        assertEquals("200", first.get("lastStatus").n());
        assertEquals(expected.get(0).sequenceNumber(), first.get("sequenceNumber").s());
        assertEquals("convo.created", first.get("event").s());
        assertNotNull(first.get("expiresAt").n());
        assertEquals(0, poller.messagesLeft(), "nothing parked");
    }

    @Test
    void a_429_with_retry_after_is_retried_inline_after_that_wait() {
        // given
        subscribe("limited", harness.receiver().url("/limited"));
        harness.receiver().script("/limited", new Answer(429, Map.of("Retry-After", "2"), Duration.ZERO));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());

        // when
        String response = LambdaRuntime.invoke(event);

        // then
        assertEquals(EMPTY, response);
        List<Received> requests = harness.receiver().requests("/limited");
        assertEquals(2, requests.size());
        assertEquals(requests.get(0).header("webhook-id"), requests.get(1).header("webhook-id"));
        assertTrue(Duration.between(requests.get(0).at(), requests.get(1).at()).toMillis() >= 1900,
                "the second attempt waited the 2 s the subscriber asked for");
        assertEquals("delivered", ledger(requests.get(0).header("webhook-id"), "limited").get("outcome").s());
    }

    @Test
    void a_retry_after_beyond_the_time_budget_parks_the_delivery_and_the_retry_function_honours_retry_after() {
        // given: a subscriber that asks for 10 minutes, then (from the queue) once more for 2 s
        subscribe("busy", harness.receiver().url("/busy"));
        harness.receiver().script("/busy", new Answer(503, Map.of("Retry-After", "600"), Duration.ZERO),
                new Answer(503, Map.of("Retry-After", "2"), Duration.ZERO));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();

        // when
        String response = LambdaRuntime.invoke(event);

        // then: not waited inline (it does not fit the time budget), parked for the capped wait
        assertEquals(EMPTY, response);
        assertEquals(1, harness.receiver().requests("/busy").size());
        Map<String, AttributeValue> parked = ledger(webhookId, "busy");
        assertEquals("parked", parked.get("outcome").s());
        List<Message> peeked = sqs.receiveMessage(b -> b.queueUrl(harness.retryQueueUrl()).visibilityTimeout(0)
                .waitTimeSeconds(1)).messages();
        assertEquals(1, peeked.size());
        Instant parkedAt = ParkedDelivery.fromJson(peeked.get(0).body()).parkedAt();
        assertEquals(Duration.ofSeconds(2), Duration.between(parkedAt, Instant.parse(parked.get("nextAttemptAt").s())),
                "Retry-After capped at 2 s from the park time");

        // when: the retry function runs
        poller.drain(DRAIN_BOUND);

        // then
        List<Received> requests = harness.receiver().requests("/busy");
        assertEquals(3, requests.size());
        assertTrue(Duration.between(requests.get(1).at(), requests.get(2).at()).toMillis() >= 1900,
                "the retry function waited the 2 s of Retry-After, not the 1 s of the schedule");
        assertEquals("delivered", ledger(webhookId, "busy").get("outcome").s());
        assertEquals("3", ledger(webhookId, "busy").get("attempts").n());
    }

    @Test
    void a_receiver_slower_than_the_timeout_then_fast_gets_the_same_webhook_id_and_it_is_recorded_once() {
        // given: the first answer comes after twice the attempt timeout
        subscribe("slow", harness.receiver().url("/slow"));
        harness.receiver().script("/slow", new Answer(204, Map.of(),
                Duration.ofSeconds(2 * DeliveryGuaranteesResource.ATTEMPT_TIMEOUT_SECONDS)));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();

        // when
        String response = LambdaRuntime.invoke(event);

        // then
        assertEquals(EMPTY, response);
        List<Received> requests = harness.receiver().requests("/slow");
        assertEquals(2, requests.size());
        assertTrue(requests.stream().allMatch(r -> r.header("webhook-id").equals(webhookId)));
        Map<String, AttributeValue> entry = ledger(webhookId, "slow");
        assertEquals("delivered", entry.get("outcome").s());
        assertEquals("2", entry.get("attempts").n());
    }

    @Test
    void a_connection_reset_without_answer_is_retried_and_delivered() {
        // given
        subscribe("reset", harness.raw().url("/reset"));
        harness.raw().script(RawReceiver.Behaviour.RESET);
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();

        // when
        String response = LambdaRuntime.invoke(event);

        // then
        assertEquals(EMPTY, response);
        List<RawReceiver.Request> requests = harness.raw().requests();
        assertEquals(2, requests.size(), "reset, then answered");
        assertTrue(requests.stream().allMatch(r -> r.header("webhook-id").equals(webhookId)));
        assertEquals("delivered", ledger(webhookId, "reset").get("outcome").s());
        assertEquals("2", ledger(webhookId, "reset").get("attempts").n());
    }

    /** Answers whose final status is 200 however the rest of the response goes (CONTRACT section 6). */
    static Stream<Arguments> answersOfA200() {
        return Stream.of(
                Arguments.of("102 Processing, 50 ms later 200 OK with an empty body", RawReceiver.interimThen(
                        Duration.ofMillis(50), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 102 Processing")),
                Arguments.of("103 Early Hints, 100 Continue, then 200 OK", RawReceiver.interimThen(Duration.ofMillis(20),
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 103 Early Hints",
                        "HTTP/1.1 100 Continue")),
                Arguments.of("200 OK chunked, an 11-byte chunk every 250 ms for 8 s",
                        RawReceiver.chunkedTrickle(11, Duration.ofMillis(250), Duration.ofSeconds(8))),
                Arguments.of("200 OK with a 600 MiB chunked body", RawReceiver.chunkedBody(600L * 1024 * 1024)),
                Arguments.of("200 OK with a body that never ends", RawReceiver.raw(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", Duration.ofSeconds(30))),
                Arguments.of("200 OK with Content-Length 1000, 10 bytes sent, then closed", RawReceiver.raw(
                        "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789", Duration.ZERO)),
                Arguments.of("200 OK status line, then the connection closed",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\n", Duration.ZERO)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answersOfA200")
    void the_final_status_line_decides_and_the_body_is_read_only_up_to_a_bound(String name, Responder answer) {
        // given
        subscribe("raw-200", harness.raw().url("/raw-200"));
        harness.raw().script(answer, answer, answer);
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();

        // when
        String response = LambdaRuntime.invoke(event);

        // then: delivered once, the record not reported, nothing parked
        assertEquals(EMPTY, response);
        List<RawReceiver.Request> requests = harness.raw().requests();
        assertEquals(1, requests.size(), "the receiver got the webhook once");
        assertEquals(webhookId, requests.get(0).header("webhook-id"));
        Map<String, AttributeValue> entry = ledger(webhookId, "raw-200");
        assertEquals("delivered", entry.get("outcome").s());
        assertEquals("1", entry.get("attempts").n());
        assertEquals("200", entry.get("lastStatus").n());
        assertEquals(0, poller.messagesLeft(), "nothing parked");
        // the function reads at most 64 KiB of a body; loopback socket buffers take a few MiB more
        assertTrue(harness.raw().bodyBytesWritten() < 32L * 1024 * 1024,
                "body bytes the receiver could write: " + harness.raw().bodyBytesWritten());
    }

    @Test
    void a_subscriber_failing_for_good_never_holds_back_a_healthy_one_ends_dead_lettered_and_is_replayed_in_order()
            throws Exception {
        // given: three conversations, three changes each, written interleaved
        subscribe("healthy", harness.receiver().url("/healthy"));
        subscribe("failing", harness.receiver().url("/failing"));
        harness.receiver().rule("/failing", request -> Answer.status(500));
        List<String> ids = List.of(newConversation(), newConversation(), newConversation());
        ids.forEach(id -> conversations.create(id, "1"));
        ids.forEach(id -> conversations.status(id, 2));
        ids.forEach(id -> conversations.status(id, 3));
        String event = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(event);
        assertEquals(9, expected.size());

        // when
        Instant started = Instant.now();
        String response = LambdaRuntime.invoke(event);
        Duration took = Duration.between(started, Instant.now());

        // then: the healthy subscriber got everything, once, in order, without waiting for the failing one
        assertEquals(EMPTY, response, "failures are parked, the shard moves on");
        assertDeliveredExactlyOnce(harness.receiver().answered("/healthy"), expected);
        assertInOrderPerConversation(harness.receiver().requests("/healthy"), expected);
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "not held back: " + took);
        Map<String, List<String>> failingAttempts = webhookIdsByConversation(harness.receiver().requests("/failing"));
        for (String id : ids) {
            String first = firstOf(expected, id);
            assertEquals(nCopies(first, INLINE_ATTEMPTS), failingAttempts.get(id),
                    "one round of inline attempts for the first change of conversation " + id + "; the later ones parked behind it");
        }
        for (Expected webhook : expected) {
            assertEquals("parked", ledger(webhook.webhookId(), "failing").get("outcome").s());
        }
        assertEquals(9, poller.messagesLeft());
        assertNoSecretInLedgerOrQueue();

        // when: the retry function works through the queue
        poller.drain(DRAIN_BOUND);

        // then: dead-lettered with everything replay needs; the healthy subscriber got nothing more
        assertEquals(9, harness.receiver().requests("/healthy").size());
        Map<String, byte[]> bodies = harness.receiver().requests("/healthy").stream()
                .collect(Collectors.toMap(r -> r.header("webhook-id"), Received::body));
        for (Expected webhook : expected) {
            Map<String, AttributeValue> entry = ledger(webhook.webhookId(), "failing");
            assertEquals("dead-lettered", entry.get("outcome").s(), webhook.toString());
            assertArrayEquals(bodies.get(webhook.webhookId()), entry.get("body").b().asByteArray());
            assertEquals(webhook.event(), entry.get("event").s());
            assertEquals(webhook.sequenceNumber(), entry.get("sequenceNumber").s());
            assertEquals("500", entry.get("lastStatus").n());
            assertEquals("HTTP 500", entry.get("lastError").s());
            boolean first = webhook.webhookId().equals(firstOf(expected, webhook.conversationId()));
            assertEquals(Integer.toString((first ? INLINE_ATTEMPTS : 0) + SCHEDULE_STEPS), entry.get("attempts").n());
        }
        assertInOrderPerConversation(harness.receiver().requests("/failing"), expected);
        for (String id : ids) {
            Map<String, AttributeValue> pair = pairItem(id, "failing");
            assertTrue(pair == null || !pair.containsKey("parked"), "no parked delivery left for conversation " + id);
        }

        // when: the subscriber is fixed and the operator replays
        harness.receiver().reset();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = ReplayCommand.run(List.of("failing"), replayEnvironment(), new PrintStream(out, true, StandardCharsets.UTF_8));

        // then: every dead letter once, in stream order, same webhook-id, fresh valid signatures
        assertEquals(0, exit, out.toString(StandardCharsets.UTF_8));
        List<Received> replayed = harness.receiver().requests("/failing");
        assertEquals(expected.stream().map(Expected::webhookId).toList(),
                replayed.stream().map(r -> r.header("webhook-id")).toList());
        for (Received request : replayed) {
            Signatures.assertStandardWebhooksValid(request, SECRET);
            assertEquals(Signatures.freeScoutSignature(SECRET, request.body()), request.header("x-freescout-signature"));
            assertArrayEquals(bodies.get(request.header("webhook-id")), request.body());
        }
        for (Expected webhook : expected) {
            Map<String, AttributeValue> entry = ledger(webhook.webhookId(), "failing");
            assertEquals("delivered", entry.get("outcome").s());
            assertFalse(entry.containsKey("deadLetterSubscriptionId"), "left the dead letters");
        }
        assertFalse(out.toString(StandardCharsets.UTF_8).contains(SECRET));

        // when: replayed again, nothing is left to send
        harness.receiver().reset();
        assertEquals(0, ReplayCommand.run(List.of("failing"), replayEnvironment(), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(List.of(), harness.receiver().requests("/failing"));
    }

    @Test
    void a_later_change_is_parked_behind_a_parked_one_even_when_the_subscriber_answers_again() {
        // given: the first change fails and is parked
        subscribe("recovering", harness.receiver().url("/recovering"));
        harness.receiver().rule("/recovering", request -> Answer.status(503));
        String id = newConversation();
        conversations.create(id, "1");
        String first = conversations.event(conversations.read());
        assertEquals(EMPTY, LambdaRuntime.invoke(first));
        assertEquals(INLINE_ATTEMPTS, harness.receiver().requests("/recovering").size());

        // when: the subscriber is back, and a second change arrives in a later batch
        harness.receiver().reset();
        conversations.status(id, 3);
        String second = conversations.event(conversations.read());
        assertEquals(EMPTY, LambdaRuntime.invoke(second));

        // then: not sent directly (it would overtake the parked one)
        assertEquals(List.of(), harness.receiver().requests("/recovering"));
        String secondId = ConversationTable.expected(second).get(0).webhookId();
        assertEquals("parked", ledger(secondId, "recovering").get("outcome").s());

        // when
        poller.drain(DRAIN_BOUND);

        // then: both delivered, once each, in order; the pair is free again
        List<Expected> both = new ArrayList<>(ConversationTable.expected(first));
        both.addAll(ConversationTable.expected(second));
        assertEquals(both.stream().map(Expected::webhookId).toList(),
                harness.receiver().requests("/recovering").stream().map(r -> r.header("webhook-id")).toList());
        Map<String, AttributeValue> pair = pairItem(id, "recovering");
        assertTrue(pair == null || !pair.containsKey("parked"));

        // and a third change goes directly again
        harness.receiver().reset();
        conversations.status(id, 1);
        assertEquals(EMPTY, LambdaRuntime.invoke(conversations.event(conversations.read())));
        assertEquals(1, harness.receiver().requests("/recovering").size());
        assertEquals(0, poller.messagesLeft());
    }

    @Test
    void gone_disables_the_subscription_and_nothing_more_is_sent_to_it() {
        // given
        subscribe("gone", harness.receiver().url("/gone"));
        subscribe("healthy", harness.receiver().url("/healthy"));
        harness.receiver().rule("/gone", request -> Answer.status(410));
        String id = newConversation();
        conversations.create(id, "1");
        conversations.status(id, 2);
        String event = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(event);

        // when
        String response = LambdaRuntime.invoke(event);

        // then
        assertEquals(EMPTY, response);
        assertEquals(1, harness.receiver().requests("/gone").size(), "no retry, nothing after the 410");
        Map<String, AttributeValue> subscription = dynamoDb.getItem(b -> b.tableName(harness.subscriptionsTable())
                .key(Map.of("id", AttributeValue.fromS("gone"))).consistentRead(true)).item();
        assertEquals(Boolean.FALSE, subscription.get("enabled").bool());
        assertEquals("HTTP 410 Gone", subscription.get("disabledReason").s());
        assertNotNull(Instant.parse(subscription.get("disabledAt").s()));
        Map<String, AttributeValue> entry = ledger(expected.get(0).webhookId(), "gone");
        assertEquals("skipped", entry.get("outcome").s());
        assertEquals("410", entry.get("lastStatus").n());
        assertDeliveredExactlyOnce(harness.receiver().answered("/healthy"), expected);
        assertEquals(0, poller.messagesLeft());

        // and a later batch sends nothing to it
        conversations.status(id, 3);
        assertEquals(EMPTY, LambdaRuntime.invoke(conversations.event(conversations.read())));
        assertEquals(1, harness.receiver().requests("/gone").size());
        assertEquals(3, harness.receiver().requests("/healthy").size());
    }

    @Test
    void redirects_are_failures_never_followed_and_end_dead_lettered() {
        // given
        subscribe("moved", harness.receiver().url("/moved"));
        subscribe("temporary", harness.receiver().url("/temporary"));
        harness.receiver().rule("/moved",
                request -> new Answer(301, Map.of("Location", harness.receiver().url("/elsewhere")), Duration.ZERO));
        harness.receiver().rule("/temporary",
                request -> new Answer(307, Map.of("Location", harness.receiver().url("/elsewhere")), Duration.ZERO));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();

        // when
        assertEquals(EMPTY, LambdaRuntime.invoke(event));
        poller.drain(DRAIN_BOUND);

        // then: one inline attempt (3xx is not retried inline), then the schedule; never followed
        assertEquals(1 + SCHEDULE_STEPS, harness.receiver().requests("/moved").size());
        assertEquals(1 + SCHEDULE_STEPS, harness.receiver().requests("/temporary").size());
        assertEquals(List.of(), harness.receiver().requests("/elsewhere"));
        assertEquals("dead-lettered", ledger(webhookId, "moved").get("outcome").s());
        assertEquals("HTTP 301", ledger(webhookId, "moved").get("lastError").s());
        assertEquals("dead-lettered", ledger(webhookId, "temporary").get("outcome").s());
        assertEquals("HTTP 307", ledger(webhookId, "temporary").get("lastError").s());
    }

    @Test
    void the_same_batch_delivered_twice_reaches_nobody_twice() {
        // given
        subscribe("healthy", harness.receiver().url("/healthy"));
        subscribe("failing", harness.receiver().url("/failing"));
        harness.receiver().rule("/failing", request -> Answer.status(500));
        String a = newConversation();
        String b = newConversation();
        conversations.create(a, "1");
        conversations.create(b, "1");
        conversations.status(a, 2);
        String event = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(event);

        // when
        assertEquals(EMPTY, LambdaRuntime.invoke(event));
        int failingAttempts = harness.receiver().requests("/failing").size();
        List<Map<String, AttributeValue>> parkedBefore = failingItems(expected, a, b);
        assertEquals(EMPTY, LambdaRuntime.invoke(event));

        // then: the redelivery sent nothing at all, and parked nothing twice
        assertDeliveredExactlyOnce(harness.receiver().answered("/healthy"), expected);
        assertEquals(expected.size(), harness.receiver().requests("/healthy").size());
        assertEquals(failingAttempts, harness.receiver().requests("/failing").size(),
                "a parked delivery is not attempted again by a redelivery");
        assertEquals(expected.size(), poller.messagesLeft());
        assertEquals(parkedBefore, failingItems(expected, a, b),
                "ledger and pair items unwritten by the redelivery (SQS deduplication would hide a second SendMessage)");
    }

    @Test
    void a_batch_redriven_after_a_partial_failure_sends_nothing_twice() {
        // given: conversation A fails for one subscriber while the retry queue is unreachable; B succeeds
        subscribe("healthy", harness.receiver().url("/healthy"));
        subscribe("picky", harness.receiver().url("/picky"), Map.of("mailboxes", AttributeValue.fromNs(List.of("1"))));
        harness.receiver().rule("/picky", request -> Answer.status(500));
        String a = newConversation();
        String b = newConversation();
        conversations.create(a, "1");
        conversations.create(b, "2");
        conversations.status(b, 2);
        conversations.status(a, 2);
        List<Record> records = conversations.read();
        String event = conversations.event(records);
        List<Expected> expected = ConversationTable.expected(event);
        sqs.deleteQueue(q -> q.queueUrl(harness.retryQueueUrl()));

        String response;
        try {
            // when
            response = LambdaRuntime.invoke(event);
        } finally {
            TemplateTables.createQueue(sqs, "DeliveryRetryQueue", harness.retryQueueName());
        }

        // then: A's records are reported (its first failed to park, its second was held back)
        String firstOfA = records.get(0).dynamodb().sequenceNumber();
        String lastOfA = records.get(3).dynamodb().sequenceNumber();
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + firstOfA + "\"},{\"itemIdentifier\":\""
                + lastOfA + "\"}]}", response);
        assertEquals(3, harness.receiver().requests("/healthy").size(), "A's first change and both of B's");
        assertEquals(List.of(firstOf(expected, a)), pairItem(a, "picky").get("parked").ss(),
                "the id stays on the pair item: SQS may have taken the message before the error");

        // when: Lambda re-drives the shard from the first reported record: everything after it, B's records included
        String redriven = LambdaRuntime.invoke(event);

        // then
        assertEquals(EMPTY, redriven);
        assertDeliveredExactlyOnce(harness.receiver().answered("/healthy"), expected);
        assertInOrderPerConversation(harness.receiver().requests("/healthy"), expected);
        List<Expected> ofA = expected.stream().filter(e -> e.conversationId().equals(a)).toList();
        for (Expected webhook : ofA) {
            assertEquals("parked", ledger(webhook.webhookId(), "picky").get("outcome").s());
        }
        assertEquals(ofA.size(), poller.messagesLeft(), "each of A's deliveries to the failing subscriber parked once");
    }

    @Test
    void an_invocation_that_dies_between_its_deliveries_and_their_ledger_write_is_delivered_again_when_redriven() {
        // given: two subscribers, two conversations, and an invocation whose ledger writes never happen (it dies first)
        subscribe("first", harness.receiver().url("/first"));
        subscribe("second", harness.receiver().url("/second"));
        String a = newConversation();
        String b = newConversation();
        conversations.create(a, "1");
        conversations.create(b, "1");
        conversations.status(a, 3);
        String event = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(event);
        List<String> writesLost = new CopyOnWriteArrayList<>();
        ExecutionInterceptor dying = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest || context.request() instanceof PutItemRequest) {
                    writesLost.add(context.request().getClass().getSimpleName());
                    throw new IllegalStateException("simulated end of the invocation before its ledger write");
                }
            }
        };
        BatchProcessor.DecodedBatch batch = decode(event);
        try (DynamoDbClient dyingClient = clientWith(harness.emulator().endpoint(), dying)) {
            // when: the dying invocation, then Lambda's redrive of the same batch, then one more redrive
            processWithLedgerClient(dyingClient, batch);
        }
        for (Expected webhook : expected) {
            assertTrue(dynamoDb.getItem(r -> r.tableName(harness.deliveriesTable()).consistentRead(true).key(Map.of(
                    "webhookId", AttributeValue.fromS(webhook.webhookId()), "subscriptionId", AttributeValue.fromS("first"))))
                    .item().isEmpty(), "nothing recorded by the dying invocation");
        }
        assertEquals(EMPTY, LambdaRuntime.invoke(event));
        assertEquals(EMPTY, LambdaRuntime.invoke(event));

        // then: every webhook reached each subscriber twice with its one webhook-id (at least once), the redrive
        // recorded them, and the second redrive sent nothing
        assertTrue(!writesLost.isEmpty() && writesLost.size() <= batch.sequenceNumbers().size(),
                "at most one lost write per record: " + writesLost);
        for (String subscriber : List.of("/first", "/second")) {
            List<String> ids = harness.receiver().answered(subscriber).stream()
                    .map(answered -> answered.request().header("webhook-id")).sorted().toList();
            List<String> twice = expected.stream().flatMap(e -> Stream.of(e.webhookId(), e.webhookId())).sorted().toList();
            assertEquals(twice, ids, subscriber);
            assertInOrderPerConversation(harness.receiver().requests(subscriber).subList(expected.size(),
                    2 * expected.size()), expected);
        }
        for (Expected webhook : expected) {
            assertEquals("delivered", ledger(webhook.webhookId(), "first").get("outcome").s());
            assertEquals("delivered", ledger(webhook.webhookId(), "second").get("outcome").s());
        }
    }

    @Test
    void a_batch_reads_the_ledger_100_keys_a_request_and_writes_its_records_outcomes_in_at_most_one_request_each() {
        // given: 5 subscribers and 10 conversations of 3 records each, the ledger's requests counted on their way
        String event = subscribersAndChanges("counted-", 10, 2, 3);
        int conversationCount = 10;
        List<Expected> expected = ConversationTable.expected(event);
        BatchProcessor.DecodedBatch batch = decode(event);
        int keys = 5 * expected.size() + 5 * conversationCount;

        try (CountingProxy proxy = CountingProxy.start(harness.emulator().endpoint());
                DynamoDbClient counted = clientWith(proxy.endpoint(), new ExecutionInterceptor() {
                })) {
            // when
            BatchResult first = processWithLedgerClient(counted, batch);
            Map<String, Long> firstCounts = proxy.counts();
            proxy.reset();
            BatchResult again = processWithLedgerClient(counted, batch);

            // then: ceil(keys / 100) reads and at most one write per record (records closing while a write is in
            // flight share the next), nothing else; the redelivery only reads
            assertEquals(List.of(), first.failedSequenceNumbers());
            assertEquals(30, batch.sequenceNumbers().size());
            long writes = firstCounts.getOrDefault("TransactWriteItems", 0L) + firstCounts.getOrDefault("PutItem", 0L);
            assertTrue(writes >= (5 * expected.size() + 99) / 100 && writes <= 30, firstCounts.toString());
            Map<String, Long> reads = new HashMap<>(firstCounts);
            reads.remove("TransactWriteItems");
            reads.remove("PutItem");
            assertEquals(Map.of("BatchGetItem", (long) ((keys + 99) / 100)), reads, keys + " keys");
            assertEquals(List.of(), again.failedSequenceNumbers());
            assertEquals(Map.of("BatchGetItem", (long) ((keys + 99) / 100)), proxy.counts());
        }
        for (int i = 1; i <= 5; i++) {
            assertDeliveredExactlyOnce(harness.receiver().answered("/counted-" + i), expected);
            assertInOrderPerConversation(harness.receiver().requests("/counted-" + i), expected);
            for (Expected webhook : expected) {
                assertEquals("delivered", ledger(webhook.webhookId(), "counted-" + i).get("outcome").s());
            }
        }
    }

    @Test
    void outcomes_of_records_that_close_while_a_write_is_in_flight_go_together_in_the_next_write() {
        // given: 5 subscribers, 30 records, and ledger writes held until every record has closed
        String event = subscribersAndChanges("grouped-", 15, 2);
        List<Expected> expected = ConversationTable.expected(event);
        int deliveries = 5 * expected.size();
        List<Integer> writeSizes = new CopyOnWriteArrayList<>();
        ExecutionInterceptor heldWrites = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof TransactWriteItemsRequest write) {
                    writeSizes.add(write.transactItems().size());
                } else if (context.request() instanceof PutItemRequest) {
                    writeSizes.add(1);
                } else {
                    return;
                }
                Instant until = Instant.now().plusSeconds(30);
                while (received("/grouped-", 5) < deliveries && Instant.now().isBefore(until)) {
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                }
            }
        };

        // when
        BatchResult result;
        try (DynamoDbClient held = clientWith(harness.emulator().endpoint(), heldWrites)) {
            result = processWithLedgerClient(held, decode(event));
        }

        // then: two writes were in flight with the first records' outcomes; the other records' went together, at
        // most 100 items a request, and all are recorded
        assertEquals(List.of(), result.failedSequenceNumbers());
        assertEquals(30, expected.size());
        assertEquals(deliveries, writeSizes.stream().mapToInt(Integer::intValue).sum(), writeSizes.toString());
        assertTrue(writeSizes.size() <= 4, "at most 2 held writes, then 100 and the rest: " + writeSizes);
        assertEquals(100, writeSizes.stream().mapToInt(Integer::intValue).max().orElse(0), writeSizes.toString());
        for (int i = 1; i <= 5; i++) {
            assertDeliveredExactlyOnce(harness.receiver().answered("/grouped-" + i), expected);
            for (Expected webhook : expected) {
                assertEquals("delivered", ledger(webhook.webhookId(), "grouped-" + i).get("outcome").s());
            }
        }
    }

    /**
     * Subscribes 5 subscribers on paths {@code prefix1 .. prefix5}, creates the conversations, then sets each status in
     * turn on all of them.
     *
     * @return the Lambda event of the stream records written
     */
    private String subscribersAndChanges(String prefix, int conversationCount, int... statuses) {
        for (int i = 1; i <= 5; i++) {
            subscribe(prefix + i, harness.receiver().url("/" + prefix + i));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < conversationCount; i++) {
            String id = newConversation();
            ids.add(id);
            conversations.create(id, "1");
        }
        for (int status : statuses) {
            for (String id : ids) {
                conversations.status(id, status);
            }
        }
        return conversations.event(conversations.read());
    }

    /** Requests the receiver got on paths {@code prefix1 .. prefixN}. */
    private int received(String prefix, int paths) {
        int total = 0;
        for (int i = 1; i <= paths; i++) {
            total += harness.receiver().requests(prefix + i).size();
        }
        return total;
    }

    @Test
    void a_deadline_hit_while_a_subscriber_is_slow_reports_the_record_parks_nothing_and_counts_no_failure()
            throws IOException {
        // given: a subscriber slower than the time left, and a batch whose attempts must end in one second
        subscribe("slow", harness.receiver().url("/slow"));
        harness.receiver().script("/slow", new Answer(200, Map.of(), Duration.ofSeconds(4)));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();
        List<String> failures = new CopyOnWriteArrayList<>();
        SubscriptionHealth health = new SubscriptionHealth() {
            @Override
            public Failure failed(String subscriptionId) {
                failures.add(subscriptionId);
                return Failure.ENABLED;
            }
        };
        DeliveryLedger ledger = durable.ledger().orElseThrow();
        DeliveryJournal journal = new LedgerJournal(ledger,
                new DeliveryParking(ledger, durable.queue().orElseThrow(), durable.schedule(), Clock.systemUTC()), health);
        WebhookDispatcher dispatcher = new WebhookDispatcher(webhookClient, guard,
                new RetryPolicy(INLINE_ATTEMPTS, Duration.ofMillis(20), Duration.ofMillis(100), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(DeliveryGuaranteesResource.ATTEMPT_TIMEOUT_SECONDS), Clock.systemUTC());
        BatchProcessor processor = new BatchProcessor(4, Clock.systemUTC());
        BatchProcessor.DecodedBatch batch = JSON.readValue(event, BatchProcessor.DecodedBatch.class);
        Instant deadline = Instant.now().plusSeconds(3);

        // when
        BatchResult result = processor.process(batch, new WebhookDeliveries(subscriptionRepository, guard, dispatcher,
                journal).forBatch(deadline.minusSeconds(2)), deadline);

        // then: the record is reported for Lambda's retry; nothing parked, nothing recorded, nobody blamed
        assertEquals(batch.sequenceNumbers(), result.failedSequenceNumbers());
        assertEquals(1, harness.receiver().requests("/slow").size(), "the one attempt was cut by the deadline");
        assertEquals(List.of(), failures, "no failure counted against the subscription");
        assertEquals(null, pairItem(id, "slow"), "no pair item: nothing parked");
        assertTrue(ledger.get(new LedgerKey(webhookId, "slow")).isEmpty(), "no ledger item for the delivery");
        assertEquals(0, poller.messagesLeft(), "nothing on the retry queue");
    }

    @Test
    void a_parked_delivery_about_to_outlive_the_queue_retention_is_dead_lettered_not_dropped() throws Exception {
        // given: a parked delivery whose message SQS accepted 13 days and a minute ago
        subscribe("ancient", harness.receiver().url("/ancient"));
        harness.receiver().rule("/ancient", request -> Answer.status(500));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();
        assertEquals(EMPTY, LambdaRuntime.invoke(event));
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(1).messageSystemAttributeNames(software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.ALL))
                .messages();
        assertEquals(1, messages.size());
        com.fasterxml.jackson.databind.node.ObjectNode sqsEvent = (com.fasterxml.jackson.databind.node.ObjectNode) JSON
                .readTree(poller.event(messages));
        long old = Instant.now().minus(Duration.ofDays(13)).minus(Duration.ofMinutes(1)).toEpochMilli();
        ((com.fasterxml.jackson.databind.node.ObjectNode) sqsEvent.get("Records").get(0).get("attributes"))
                .put("SentTimestamp", Long.toString(old));

        // when
        String response = invokeRetryFunction(sqsEvent.toString());

        // then: finished without another request, dead-lettered with its body for replay, its pair free again
        assertEquals(EMPTY, response);
        assertEquals(INLINE_ATTEMPTS, harness.receiver().requests("/ancient").size());
        Map<String, AttributeValue> item = ledger(webhookId, "ancient");
        assertEquals("dead-lettered", item.get("outcome").s());
        assertTrue(item.get("lastError").s().contains("the retry queue would drop it"), item.get("lastError").s());
        assertNotNull(item.get("body").b());
        assertFalse(pairItem(id, "ancient").containsKey("parked"), "nothing parked for the pair any more");
    }

    @Test
    void the_retry_function_puts_a_message_back_without_an_attempt_when_an_attempt_no_longer_fits() throws Exception {
        // given: a parked delivery, due, and an invocation with less time left than an attempt and its bookkeeping
        subscribe("waiting", harness.receiver().url("/waiting"));
        harness.receiver().rule("/waiting", request -> Answer.status(500));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        String webhookId = ConversationTable.expected(event).get(0).webhookId();
        assertEquals(EMPTY, LambdaRuntime.invoke(event));
        Map<String, AttributeValue> before = ledger(webhookId, "waiting");
        Thread.sleep(1100); // its first retry is due one schedule step after parking
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(1)).messages();
        assertEquals(1, messages.size());

        // when
        SqsBatchResponse response = retries.handle(JSON.readValue(poller.event(messages), SqsEvent.class),
                Instant.now().plusSeconds(DeliveryGuaranteesResource.ATTEMPT_TIMEOUT_SECONDS));

        // then: reported, not attempted, no schedule step used, and visible again at once
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + messages.get(0).messageId() + "\"}]}",
                JSON.writeValueAsString(response));
        assertEquals(INLINE_ATTEMPTS, harness.receiver().requests("/waiting").size());
        Map<String, AttributeValue> after = ledger(webhookId, "waiting");
        assertEquals(before.get("retryStep"), after.get("retryStep"));
        assertEquals(before.get("attempts"), after.get("attempts"));
        assertEquals(before.get("updatedAt"), after.get("updatedAt"));
        assertEquals(1, sqs.receiveMessage(r -> r.queueUrl(harness.retryQueueUrl()).waitTimeSeconds(1)).messages().size(),
                "the message is visible again");
    }

    @Test
    void parking_a_delivery_the_ledger_has_finished_already_leaves_no_stale_id_on_its_pair() {
        // given: a delivery the ledger records as delivered (an earlier parking of it was finished)
        DeliveryLedger ledger = durable.ledger().orElseThrow();
        String id = newConversation();
        LedgerDelivery delivery = new LedgerDelivery("msg_" + "f".repeat(31) + id.charAt(0), "finished", "convo.created",
                harness.conversationsStreamArn().substring(0, harness.conversationsStreamArn().indexOf("/stream/")) + "#" + id,
                "100");
        ledger.recordFirst(delivery, LedgerOutcome.DELIVERED, new Progress(2, 200, null, 5));
        DeliveryParking parking = new DeliveryParking(ledger, durable.queue().orElseThrow(), durable.schedule(),
                Clock.systemUTC());

        // when: it is parked once more (SQS may drop the message as a duplicate)
        boolean parked = parking.parkBehind(delivery, "{}".getBytes(StandardCharsets.UTF_8));

        // then
        assertTrue(parked);
        assertFalse(pairItem(id, "finished").containsKey("parked"), "no id left that nobody would ever take off");
        assertEquals("delivered", ledger(delivery.webhookId(), "finished").get("outcome").s());
    }

    @Test
    void a_retry_function_dying_right_after_a_2xx_is_recorded_does_not_send_it_again_when_the_message_comes_back()
            throws Exception {
        // given: a delivery parked after its inline attempts failed, to a subscriber that answers 204 from then on
        subscribe("recovers", harness.receiver().url("/recovers"));
        harness.receiver().script("/recovers", Answer.status(500), Answer.status(500), Answer.status(500));
        String id = newConversation();
        conversations.create(id, "1");
        String event = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(event);
        assertEquals(EMPTY, LambdaRuntime.invoke(event));
        Thread.sleep(1100); // its first retry is due one schedule step after parking
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(1).messageSystemAttributeNames(software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.ALL))
                .messages();
        assertEquals(1, messages.size());
        SqsEvent sqsEvent = JSON.readValue(poller.event(messages), SqsEvent.class);
        // the retry function's process dies between the ledger write and the subscription health write
        SubscriptionHealth dying = new SubscriptionHealth() {
            @Override
            public java.util.Optional<Instant> succeeded(String subscriptionId) {
                throw new IllegalStateException("simulated crash of the retry function");
            }
        };
        DeliveryRetries crashing = DeliveryRetriesFixture.withHealth(dying, durable, subscriptionRepository, guard,
                webhookClient, deliveryConfig, retryConfig);

        // when: the invocation dies after the 2xx
        SqsBatchResponse crashed = crashing.handle(sqsEvent, Instant.now().plusSeconds(30));

        // then: the message stays on the queue, but the delivery is recorded
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + messages.get(0).messageId() + "\"}]}",
                JSON.writeValueAsString(crashed));
        assertEquals(INLINE_ATTEMPTS + 1, harness.receiver().requests("/recovers").size());
        assertEquals("delivered", ledger(expected.get(0).webhookId(), "recovers").get("outcome").s());

        // when: SQS hands the message out again
        String response = invokeRetryFunction(poller.event(messages));

        // then: finished without another request
        assertEquals(EMPTY, response);
        assertEquals(INLINE_ATTEMPTS + 1, harness.receiver().requests("/recovers").size(), "no second request");
        assertDeliveredExactlyOnce(harness.receiver().answered("/recovers"), expected);
        assertFalse(pairItem(id, "recovers").containsKey("parked"), "nothing parked for the pair any more");
    }

    @Test
    void the_retry_function_answers_lambda_with_the_messages_to_keep() throws Exception {
        // given: one parked delivery whose subscriber keeps failing
        subscribe("failing", harness.receiver().url("/failing"));
        harness.receiver().rule("/failing", request -> Answer.status(500));
        String id = newConversation();
        conversations.create(id, "1");
        assertEquals(EMPTY, LambdaRuntime.invoke(conversations.event(conversations.read())));
        Thread.sleep(1100); // its first retry is due one schedule step after parking

        // when
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(1).messageSystemAttributeNames(software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.ALL))
                .messages();
        String response = invokeRetryFunction(poller.event(messages));

        // then
        assertEquals(1, messages.size());
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + messages.get(0).messageId() + "\"}]}", response);
        assertEquals(INLINE_ATTEMPTS + 1, harness.receiver().requests("/failing").size());
    }

    private String newConversation() {
        return Integer.toString(CONVERSATION_IDS.incrementAndGet());
    }

    /** A DynamoDB client for the emulator (or a proxy in front of it) with an interceptor of the test's. */
    private static DynamoDbClient clientWith(URI endpoint, ExecutionInterceptor interceptor) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.of(DynamoDbEmulator.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbEmulator.ACCESS_KEY, DynamoDbEmulator.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor)).build();
    }

    /** Runs a batch through the stream function's pieces with a ledger (and retry queue) on the given client. */
    private BatchResult processWithLedgerClient(DynamoDbClient client, BatchProcessor.DecodedBatch batch) {
        DeliveryLedger ledger = new DeliveryLedger(client, harness.deliveriesTable(), Duration.ofDays(1),
                Duration.ofDays(1), Clock.systemUTC());
        DeliveryJournal journal = new LedgerJournal(ledger, new DeliveryParking(ledger, durable.queue().orElseThrow(),
                durable.schedule(), Clock.systemUTC()), SubscriptionHealth.NONE);
        WebhookDispatcher dispatcher = new WebhookDispatcher(webhookClient, guard, new RetryPolicy(INLINE_ATTEMPTS,
                Duration.ofMillis(20), Duration.ofMillis(100), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(DeliveryGuaranteesResource.ATTEMPT_TIMEOUT_SECONDS), Clock.systemUTC());
        Instant deadline = Instant.now().plusSeconds(30);
        return new BatchProcessor(4, Clock.systemUTC()).process(batch, new WebhookDeliveries(subscriptionRepository,
                guard, dispatcher, journal).forBatch(deadline.minusSeconds(5)), deadline);
    }

    private static BatchProcessor.DecodedBatch decode(String event) {
        try {
            return JSON.readValue(event, BatchProcessor.DecodedBatch.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void subscribe(String id, String url) {
        subscribe(id, url, Map.of());
    }

    private void subscribe(String id, String url, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new HashMap<>(Map.of("id", AttributeValue.fromS(id), "url", AttributeValue.fromS(url),
                "secret", AttributeValue.fromS(SECRET)));
        item.putAll(extra);
        dynamoDb.putItem(b -> b.tableName(harness.subscriptionsTable()).item(item));
    }

    private String invokeRetryFunction(String eventJson) {
        try {
            return JSON.writeValueAsString(retryFunction.retry(JSON.readValue(eventJson, SqsEvent.class)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, AttributeValue> ledger(String webhookId, String subscriptionId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(harness.deliveriesTable()).consistentRead(true)
                .key(Map.of("webhookId", AttributeValue.fromS(webhookId), "subscriptionId", AttributeValue.fromS(subscriptionId))))
                .item();
        assertTrue(item != null && !item.isEmpty(), "no ledger item for " + webhookId + " / " + subscriptionId);
        return item;
    }

    /** The ledger items of the deliveries to "failing" and its pair items, as they are now. */
    private List<Map<String, AttributeValue>> failingItems(List<Expected> expected, String... conversationIds) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        expected.forEach(e -> items.add(ledger(e.webhookId(), "failing")));
        for (String conversationId : conversationIds) {
            items.add(pairItem(conversationId, "failing"));
        }
        return items;
    }

    private Map<String, AttributeValue> pairItem(String conversationId, String subscriptionId) {
        String key = "pair#" + harness.conversationsStreamArn().substring(0, harness.conversationsStreamArn().indexOf("/stream/"))
                + "#" + conversationId;
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(harness.deliveriesTable()).consistentRead(true)
                .key(Map.of("webhookId", AttributeValue.fromS(key), "subscriptionId", AttributeValue.fromS(subscriptionId))))
                .item();
        return item == null || item.isEmpty() ? null : item;
    }

    private Map<String, String> replayEnvironment() {
        return Map.of("WEBHOOKS_DELIVERIES_TABLE", harness.deliveriesTable(),
                "WEBHOOKS_SUBSCRIPTIONS_TABLE", harness.subscriptionsTable(),
                "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true",
                "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", harness.emulator().endpoint().toString(),
                "AWS_REGION", DynamoDbEmulator.REGION,
                "AWS_ACCESS_KEY_ID", DynamoDbEmulator.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", DynamoDbEmulator.SECRET_KEY);
    }

    private void assertNoSecretInLedgerOrQueue() {
        String key = SECRET.substring("whsec_".length());
        dynamoDb.scanPaginator(b -> b.tableName(harness.deliveriesTable())).items().forEach(item -> {
            String text = item.toString();
            assertFalse(text.contains(SECRET) || text.contains(key), "secret in the ledger");
            assertFalse(text.contains("v1,"), "a signature in the ledger");
        });
        List<Message> peeked = sqs.receiveMessage(b -> b.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                .visibilityTimeout(0)).messages();
        assertFalse(peeked.isEmpty());
        for (Message message : peeked) {
            assertFalse(message.body().contains(SECRET) || message.body().contains(key), "secret on the queue");
            sqs.changeMessageVisibility(b -> b.queueUrl(harness.retryQueueUrl()).receiptHandle(message.receiptHandle())
                    .visibilityTimeout(0));
        }
    }

    /** Each expected webhook-id was answered 2xx exactly once, and nothing else was. */
    private static void assertDeliveredExactlyOnce(List<Answered> answered, List<Expected> expected) {
        Map<String, Long> acknowledged = answered.stream().filter(a -> a.status() >= 200 && a.status() < 300)
                .collect(Collectors.groupingBy(a -> a.request().header("webhook-id"), LinkedHashMap::new, Collectors.counting()));
        Map<String, Long> once = expected.stream().collect(Collectors.toMap(Expected::webhookId, e -> 1L, (x, y) -> x + y,
                LinkedHashMap::new));
        assertEquals(once, acknowledged);
    }

    /** Per conversation, the webhook-ids arrived in stream order (repeated attempts of one count once). */
    private static void assertInOrderPerConversation(List<Received> requests, List<Expected> expected) {
        Map<String, List<String>> arrived = webhookIdsByConversation(requests);
        arrived.replaceAll((conversation, list) -> withoutRepeats(list));
        Map<String, List<String>> wanted = expected.stream().collect(Collectors.groupingBy(Expected::conversationId,
                Collectors.mapping(Expected::webhookId, Collectors.toList())));
        wanted.keySet().retainAll(arrived.keySet());
        assertEquals(wanted, arrived);
    }

    private static Map<String, List<String>> webhookIdsByConversation(List<Received> requests) {
        Map<String, List<String>> byConversation = new HashMap<>();
        for (Received request : requests) {
            String conversation;
            try {
                conversation = JSON.readTree(request.body()).get("id").asText();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            byConversation.computeIfAbsent(conversation, c -> new ArrayList<>()).add(request.header("webhook-id"));
        }
        return byConversation;
    }

    private static List<String> withoutRepeats(List<String> list) {
        List<String> result = new ArrayList<>();
        for (String item : list) {
            if (result.isEmpty() || !result.get(result.size() - 1).equals(item)) {
                result.add(item);
            }
        }
        return result;
    }

    private static String firstOf(List<Expected> expected, String conversationId) {
        return expected.stream().filter(e -> e.conversationId().equals(conversationId)).findFirst().orElseThrow().webhookId();
    }

    private static List<String> nCopies(String value, int times) {
        return java.util.Collections.nCopies(times, value);
    }
}
