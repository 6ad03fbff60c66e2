package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.operations.MetricNames;
import io.conversationwebhooks.retry.SqsEvent;
import io.conversationwebhooks.testing.ConversationTable;
import io.conversationwebhooks.testing.ConversationTable.Expected;
import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.conversationwebhooks.testing.InjectHarness;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.RetryQueuePoller;
import io.conversationwebhooks.testing.Stdout;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A subscription disabled by a delivery's answer gets no further request from the container that saw the answer
 * (CONTRACT section 7), although the container keeps the subscriptions it read for 10 minutes, as a warm container
 * does: the real function through the Lambda Runtime API, the retry function, the subscriptions table, the ledger and
 * the retry queue on the emulator, and a real HTTP receiver.
 *
 * <p>Every subscription of this class is written before the function first reads the table, since that read is kept
 * for the whole class. The conversations of a batch are delivered one after the other, so that a test can tell what
 * a later one of the same batch sends.
 */
@QuarkusTest
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true,
        initArgs = { @ResourceArg(name = "subscriptions-cache-ttl", value = "10m"),
                @ResourceArg(name = "max-concurrent-conversations", value = "1") })
class DisabledSubscriberTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "whsec_ZGlzYWJsZWQgc3Vic2NyaWJlciB0ZXN0IHNlY3JldCAwMDAx";
    private static final String EMPTY = "{\"batchItemFailures\":[]}";
    private static final AtomicInteger CONVERSATION_IDS = new AtomicInteger(9000);
    private static boolean subscribed;
    private static final List<JsonNode> EVENTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @InjectHarness
    DeliveryGuaranteesResource.Harness harness;

    @Inject
    DeliveryRetryFunction retryFunction;

    private DynamoDbClient dynamoDb;
    private DynamoDbStreamsClient streams;
    private SqsClient sqs;
    private ConversationTable conversations;

    @BeforeEach
    void setUp() {
        dynamoDb = harness.emulator().dynamoDb();
        streams = harness.emulator().streams();
        sqs = harness.emulator().sqs();
        conversations = new ConversationTable(dynamoDb, streams, harness.conversationsTable(),
                harness.conversationsStreamArn());
        sqs.purgeQueue(b -> b.queueUrl(harness.retryQueueUrl()));
        if (!subscribed) {
            subscribe("gone", "/gone", "11", Map.of());
            subscribe("gone-healthy", "/gone-healthy", "11", Map.of());
            Instant now = Instant.now();
            subscribe("failing", "/failing", "12", Map.of(
                    "firstFailureAt", AttributeValue.fromS(now.minus(Duration.ofDays(6)).toString()),
                    "lastFailureAt", AttributeValue.fromS(now.minus(Duration.ofHours(1)).toString())));
            subscribe("gone-on-retry", "/gone-on-retry", "13", Map.of());
            subscribe("failing-mid-batch", "/failing-mid-batch", "14", Map.of(
                    "firstFailureAt", AttributeValue.fromS(now.minus(Duration.ofDays(6)).toString()),
                    "lastFailureAt", AttributeValue.fromS(now.minus(Duration.ofHours(1)).toString())));
            subscribe("mid-batch-healthy", "/mid-batch-healthy", "14", Map.of());
            subscribed = true;
        }
    }

    @AfterEach
    void tearDown() {
        dynamoDb.close();
        streams.close();
        sqs.close();
    }

    @Test
    void a_subscriber_that_answered_410_gets_no_request_from_a_later_batch_of_the_same_container() throws Exception {
        // given: a batch whose delivery the subscriber answers with 410
        harness.receiver().rule("/gone", request -> Answer.status(410));
        String first = newConversationEvent("11");
        String[] answer = new String[1];
        String stdout = Stdout.capture(() -> answer[0] = LambdaRuntime.invoke(first));
        assertEquals(EMPTY, answer[0]);
        assertEquals(1, harness.receiver().requests("/gone").size());
        assertFalse(enabled("gone"), "disabled in the table");

        // and operators see it, without a secret or a signature (checked first: a failing assertion prints nothing of
        // them): the metrics of the invocation, and the event
        Expected firstDelivery = ConversationTable.expected(first).get(0);
        JsonNode event = event("subscription.disabled", "gone");
        String signature = harness.receiver().requests("/gone").get(0).header("webhook-signature");
        for (String output : List.of(stdout, event.toString())) {
            assertFalse(output.contains(SECRET) || output.contains(SECRET.substring("whsec_".length())), "no secret");
            assertFalse(output.contains(signature.substring(signature.indexOf(',') + 1)), "no signature");
        }
        Map<String, JsonNode> metrics = emfLines(stdout, MetricNames.STREAM_FUNCTION);
        JsonNode function = metrics.get("");
        assertEquals(1, function.get(MetricNames.RECORDS).asInt());
        assertEquals(0, function.get(MetricNames.MALFORMED_RECORDS).asInt());
        assertEquals(1, function.get("DeliveriesDelivered").asInt());
        assertEquals(1, function.get("DeliveriesRefused").asInt());
        assertEquals(0, function.get("DeliveriesFailed").asInt());
        assertTrue(function.get(MetricNames.OLDEST_RECORD_AGE).asDouble() >= 0, function.toString());
        assertEquals(1, metrics.get("gone").get("DeliveriesRefused").asInt());
        assertEquals(0, metrics.get("gone").get("DeliveriesDelivered").asInt());
        assertEquals(1, metrics.get("gone-healthy").get("DeliveriesDelivered").asInt());
        assertTrue(metrics.get("gone-healthy").get(MetricNames.DELIVERY_LATENCY).isNumber(), "one latency, in ms");
        assertEquals("HTTP 410 Gone", event.get("reason").asText());
        assertEquals(firstDelivery.webhookId(), event.get("webhookId").asText());
        assertEquals(firstDelivery.conversationId(), event.get("conversationId").asText());
        assertEquals(410, event.get("lastStatus").asInt());

        // when: a later batch with a new change reaches the same warm container
        String later = newConversationEvent("11");
        String response = LambdaRuntime.invoke(later);

        // then
        assertEquals(EMPTY, response);
        assertEquals(1, harness.receiver().requests("/gone").size(), "no request after the 410");
        List<Expected> expected = ConversationTable.expected(later);
        assertEquals(2, harness.receiver().requests("/gone-healthy").size(), "the other subscriber got both");
        assertEquals(expected.get(0).webhookId(),
                harness.receiver().requests("/gone-healthy").get(1).header("webhook-id"));
    }

    @Test
    void a_subscriber_disabled_for_failing_too_long_gets_no_request_from_a_later_batch_of_the_same_container() throws IOException {
        // given: failing since 6 days (the limit is 5), it fails once more: 3 inline attempts, then it is disabled
        harness.receiver().rule("/failing", request -> Answer.status(500));
        assertEquals(EMPTY, LambdaRuntime.invoke(newConversationEvent("12")));
        int attempts = harness.receiver().requests("/failing").size();
        assertEquals(DeliveryGuaranteesResource.INLINE_ATTEMPTS, attempts);
        assertFalse(enabled("failing"), "disabled in the table");
        JsonNode event = event("subscription.disabled", "failing");
        assertTrue(event.get("reason").asText().startsWith("failing without success since "), event.toString());
        assertEquals(event.get("reason").asText(), "failing without success since " + event.get("failingSince").asText());
        assertEquals(500, event.get("lastStatus").asInt());

        // when: a later batch with a change of another conversation (not parked behind the first)
        String response = LambdaRuntime.invoke(newConversationEvent("12"));

        // then
        assertEquals(EMPTY, response);
        assertEquals(attempts, harness.receiver().requests("/failing").size(), "no request after the disable");
    }

    @Test
    void a_subscriber_disabled_for_failing_too_long_gets_no_request_for_a_later_conversation_of_the_same_batch() {
        // given: failing since 6 days (the limit is 5); one batch with changes of two conversations
        harness.receiver().rule("/failing-mid-batch", request -> Answer.status(500));
        conversations.create(Integer.toString(CONVERSATION_IDS.incrementAndGet()), "14");
        conversations.create(Integer.toString(CONVERSATION_IDS.incrementAndGet()), "14");
        String batch = conversations.event(conversations.read());
        List<Expected> expected = ConversationTable.expected(batch);
        assertEquals(2, expected.size());

        // when: the first conversation's delivery fails once more (3 inline attempts, parked) and disables it
        String response = LambdaRuntime.invoke(batch);

        // then: the second conversation's change is not sent to it, and is sent to the other subscriber
        assertEquals(EMPTY, response);
        assertFalse(enabled("failing-mid-batch"), "disabled in the table");
        assertEquals(Collections.nCopies(DeliveryGuaranteesResource.INLINE_ATTEMPTS, expected.get(0).webhookId()),
                harness.receiver().requests("/failing-mid-batch").stream().map(r -> r.header("webhook-id")).toList(),
                "the first conversation's attempts only");
        assertEquals(List.of(expected.get(0).webhookId(), expected.get(1).webhookId()),
                harness.receiver().requests("/mid-batch-healthy").stream().map(r -> r.header("webhook-id")).toList());
    }

    @Test
    void the_retry_function_sends_nothing_more_to_a_subscriber_that_answered_it_410() throws Exception {
        // given: two conversations' deliveries parked (6 x 503 inline), then the subscriber answers 410
        AtomicInteger answered = new AtomicInteger();
        harness.receiver().rule("/gone-on-retry",
                request -> Answer.status(answered.incrementAndGet() <= 2 * DeliveryGuaranteesResource.INLINE_ATTEMPTS
                        ? 503 : 410));
        String first = newConversationEvent("13");
        String second = newConversationEvent("13");
        assertEquals(EMPTY, LambdaRuntime.invoke(first));
        assertEquals(EMPTY, LambdaRuntime.invoke(second));
        assertEquals(2 * DeliveryGuaranteesResource.INLINE_ATTEMPTS,
                harness.receiver().requests("/gone-on-retry").size());
        String firstId = ConversationTable.expected(first).get(0).webhookId();
        String secondId = ConversationTable.expected(second).get(0).webhookId();
        Map<String, Message> parked = receiveParked(List.of(firstId, secondId));

        // when: the retry function gets the first (410, disabled), then, in the same container, the second
        retry(parked.get(firstId));
        retry(parked.get(secondId));

        // then
        assertEquals(2 * DeliveryGuaranteesResource.INLINE_ATTEMPTS + 1,
                harness.receiver().requests("/gone-on-retry").size(), "nothing after the 410");
        assertFalse(enabled("gone-on-retry"));
        assertEquals("skipped", ledger(firstId, "gone-on-retry").get("outcome").s());
        Map<String, AttributeValue> second410 = ledger(secondId, "gone-on-retry");
        assertEquals("dead-lettered", second410.get("outcome").s());
        assertTrue(second410.get("lastError").s().contains("subscription disabled"), second410.toString());
        assertEquals(firstId, event("subscription.disabled", "gone-on-retry").get("webhookId").asText());
        JsonNode deadLettered = event("delivery.dead_lettered", "gone-on-retry");
        assertEquals(secondId, deadLettered.get("webhookId").asText());
        assertEquals("subscription disabled", deadLettered.get("reason").asText());
        assertEquals(DeliveryGuaranteesResource.INLINE_ATTEMPTS, deadLettered.get("attempts").asInt(),
                "the inline attempts; none after the disable: " + deadLettered);
    }

    /** The operational event of a type for a subscription, read from the queue subscribed to the events topic. */
    private JsonNode event(String type, String subscriptionId) throws IOException {
        Instant giveUp = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(giveUp)) {
            for (Message message : sqs.receiveMessage(b -> b.queueUrl(harness.eventsQueueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages()) {
                JsonNode body = JSON.readTree(JSON.readTree(message.body()).get("Message").asText());
                EVENTS.add(body);
            }
            for (JsonNode body : EVENTS) {
                if (body.get("type").asText().equals(type) && body.get("subscriptionId").asText().equals(subscriptionId)) {
                    return body;
                }
            }
        }
        throw new AssertionError("no " + type + " for " + subscriptionId + " in " + EVENTS);
    }

    /**
     * The EMF lines of one function in an output: "" is the line with dimensions [Function], each subscription id the
     * line with [Function, SubscriptionId].
     */
    private static Map<String, JsonNode> emfLines(String output, String function) throws IOException {
        Map<String, JsonNode> lines = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{\"_aws\"")) {
                JsonNode json = JSON.readTree(line);
                assertEquals("ConversationWebhooks", json.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
                if (json.get("Function").asText().equals(function)) {
                    lines.put(json.has("SubscriptionId") ? json.get("SubscriptionId").asText() : "", json);
                }
            }
        }
        return lines;
    }

    /** Receives the parked messages, waiting until they are due (the first retry step is 1 s after parking). */
    private Map<String, Message> receiveParked(List<String> webhookIds) throws IOException, InterruptedException {
        Map<String, Message> byWebhookId = new HashMap<>();
        Instant giveUp = Instant.now().plusSeconds(30);
        while (byWebhookId.size() < webhookIds.size() && Instant.now().isBefore(giveUp)) {
            for (Message message : sqs.receiveMessage(b -> b.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(60)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages()) {
                String webhookId = JSON.readTree(message.body()).get("webhookId").asText();
                if (webhookIds.contains(webhookId)) {
                    byWebhookId.put(webhookId, message);
                }
            }
        }
        assertEquals(webhookIds.size(), byWebhookId.size(), "parked messages");
        Thread.sleep(1500);
        return byWebhookId;
    }

    private void retry(Message message) throws IOException {
        String event = new RetryQueuePoller(sqs, harness.retryQueueUrl(), json -> json).event(List.of(message));
        retryFunction.retry(JSON.readValue(event, SqsEvent.class));
    }

    private String newConversationEvent(String mailbox) {
        String id = Integer.toString(CONVERSATION_IDS.incrementAndGet());
        conversations.create(id, mailbox);
        return conversations.event(conversations.read());
    }

    /** A subscriber of its own mailbox, so that each test's conversations reach only its subscribers. */
    private void subscribe(String id, String path, String mailbox, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new HashMap<>(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS(harness.receiver().url(path)), "secret", AttributeValue.fromS(SECRET),
                "mailboxes", AttributeValue.fromNs(List.of(mailbox))));
        item.putAll(extra);
        dynamoDb.putItem(b -> b.tableName(harness.subscriptionsTable()).item(item));
    }

    private boolean enabled(String id) {
        AttributeValue enabled = dynamoDb.getItem(b -> b.tableName(harness.subscriptionsTable()).consistentRead(true)
                .key(Map.of("id", AttributeValue.fromS(id)))).item().get("enabled");
        return enabled == null || enabled.bool();
    }

    private Map<String, AttributeValue> ledger(String webhookId, String subscriptionId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(harness.deliveriesTable()).consistentRead(true)
                .key(Map.of("webhookId", AttributeValue.fromS(webhookId), "subscriptionId", AttributeValue.fromS(subscriptionId))))
                .item();
        assertTrue(item != null && !item.isEmpty(), "no ledger item for " + webhookId + " / " + subscriptionId);
        return item;
    }
}
