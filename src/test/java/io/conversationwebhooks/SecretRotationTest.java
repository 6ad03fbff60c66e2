package io.conversationwebhooks;

import static io.conversationwebhooks.testing.DeliveryGuaranteesResource.INLINE_ATTEMPTS;
import static io.conversationwebhooks.testing.DeliveryGuaranteesResource.SCHEDULE_STEPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import io.conversationwebhooks.replay.ReplayCommand;
import io.conversationwebhooks.retry.SqsEvent;
import io.conversationwebhooks.testing.CapturedLogs;
import io.conversationwebhooks.testing.ConversationTable;
import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.InjectHarness;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.RetryQueuePoller;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Secret rotation and static headers (CONTRACT sections 4 and 6) on every path a request takes: the stream function's
 * first attempt and inline retries, the retry function fed from the SQS retry queue, and {@code ./replay.sh} — against
 * the DynamoDB and SQS emulator and a real HTTP receiver, which verifies {@code webhook-signature} with the Standard
 * Webhooks reference library holding only the old secret, or only the new one.
 */
@QuarkusTest
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true)
class SecretRotationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEW_SECRET = "whsec_bmV3IHNlY3JldCBhZnRlciB0aGUgcm90YXRpb24h";
    private static final String OLD_SECRET = "whsec_b2xkIHNlY3JldCBiZWZvcmUgdGhlIHJvdGF0aW9u";
    private static final String TOKEN = "Bearer tok-3f9a7c51e2";
    private static final String API_KEY = "key-8c1e55d0a2";
    private static final String EMPTY = "{\"batchItemFailures\":[]}";
    private static final AtomicInteger CONVERSATION_IDS = new AtomicInteger(9000);
    /** First attempt, inline retries, one attempt per retry schedule step, then the replay. */
    private static final int ATTEMPTS_ON_EVERY_PATH = INLINE_ATTEMPTS + SCHEDULE_STEPS + 1;

    @InjectHarness
    DeliveryGuaranteesResource.Harness harness;

    @Inject
    DeliveryRetryFunction retryFunction;

    private DynamoDbClient dynamoDb;
    private DynamoDbStreamsClient streams;
    private SqsClient sqs;
    private ConversationTable conversations;
    private RetryQueuePoller poller;

    @BeforeEach
    void setUp() {
        harness.receiver().reset();
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
    void during_a_rotation_a_receiver_holding_only_the_old_or_only_the_new_secret_verifies_every_attempt_on_every_path()
            throws IOException {
        // given: the new secret is current, the old one expires in an hour
        subscribe("rotating", Instant.now().plus(Duration.ofHours(1)));

        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            List<Received> attempts = attemptOnEveryPath("rotating");

            // then
            for (int i = 0; i < attempts.size(); i++) {
                Received request = attempts.get(i);
                String path = pathOf(i);
                assertTrue(verifies(request, OLD_SECRET), path + ": a receiver with only the old secret rejects it");
                assertTrue(verifies(request, NEW_SECRET), path + ": a receiver with only the new secret rejects it");
                assertEquals(2, request.header("webhook-signature").split(" ").length, path);
                assertTrue(request.header("webhook-signature").startsWith(
                        signatureWith(NEW_SECRET, request) + " "), path + ": the current secret's signature comes first");
                assertEquals(Signatures.freeScoutSignature(NEW_SECRET, request.body()),
                        request.header("x-freescout-signature"), path + ": FreeScout signs with the current secret");
                assertStaticHeaders(request, path);
            }
            assertNothingSecretIn(logs.text());
        }
    }

    @Test
    void after_the_old_secret_expired_only_a_receiver_holding_the_new_one_verifies_on_every_path() throws IOException {
        // given: the old secret expired a second ago
        subscribe("rotated", Instant.now().minusSeconds(1));

        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            List<Received> attempts = attemptOnEveryPath("rotated");

            // then
            for (int i = 0; i < attempts.size(); i++) {
                Received request = attempts.get(i);
                String path = pathOf(i);
                assertFalse(verifies(request, OLD_SECRET), path + ": the expired secret still signs");
                assertTrue(verifies(request, NEW_SECRET), path + ": a receiver with the new secret rejects it");
                assertEquals(signatureWith(NEW_SECRET, request), request.header("webhook-signature"), path);
                assertStaticHeaders(request, path);
            }
            assertNothingSecretIn(logs.text());
        }
    }

    @Test
    void a_subscription_with_a_header_that_breaks_a_rule_gets_nothing_and_the_others_go_on() {
        // given
        subscribe("good", Instant.now().plusSeconds(3600));
        putSubscription("injecting", Map.of("headers", AttributeValue.fromM(Map.of("X-Api-Key",
                AttributeValue.fromS(API_KEY + "\r\nX-Injected: yes")))));
        putSubscription("overriding", Map.of("headers", AttributeValue.fromM(Map.of("X-FreeScout-Signature",
                AttributeValue.fromS(API_KEY)))));
        String id = Integer.toString(CONVERSATION_IDS.incrementAndGet());
        conversations.create(id, "1");

        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            String response = LambdaRuntime.invoke(conversations.event(conversations.read()));

            // then
            assertEquals(EMPTY, response);
            assertEquals(1, harness.receiver().requests("/good").size());
            assertEquals(List.of(), harness.receiver().requests("/injecting"));
            assertEquals(List.of(), harness.receiver().requests("/overriding"));
            String text = logs.text();
            assertNothingSecretIn(text);
            assertTrue(text.contains("Skipping subscription injecting: the value of header X-Api-Key holds CR or LF"),
                    text);
            assertTrue(text.contains("Skipping subscription overriding: header X-FreeScout-Signature would override a "
                    + "header of the contract"), text);
        }
    }

    /**
     * Creates a conversation whose one webhook the subscriber answers 500 until it is dead-lettered (the first attempt,
     * the inline retries, then the retry function's attempts), then replays it, answered 204.
     *
     * @return every request the subscriber received, in order
     */
    private List<Received> attemptOnEveryPath(String subscriptionId) {
        String path = "/" + subscriptionId;
        harness.receiver().script(path, Collections.nCopies(INLINE_ATTEMPTS + SCHEDULE_STEPS, Answer.status(500))
                .toArray(Answer[]::new));
        String id = Integer.toString(CONVERSATION_IDS.incrementAndGet());
        conversations.create(id, "1");
        assertEquals(EMPTY, LambdaRuntime.invoke(conversations.event(conversations.read())));
        assertEquals(INLINE_ATTEMPTS, harness.receiver().requests(path).size(), "first attempt and inline retries");

        poller.drain(Duration.ofSeconds(120));
        assertEquals(INLINE_ATTEMPTS + SCHEDULE_STEPS, harness.receiver().requests(path).size(),
                "one attempt per step of the retry schedule");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = ReplayCommand.run(List.of(subscriptionId), replayEnvironment(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        assertNothingSecretIn(printed);
        List<Received> requests = harness.receiver().requests(path);
        assertEquals(ATTEMPTS_ON_EVERY_PATH, requests.size(), "and the replay");
        assertEquals(1, requests.stream().map(r -> r.header("webhook-id")).distinct().count());
        return requests;
    }

    private static String pathOf(int attempt) {
        if (attempt == 0) {
            return "first attempt";
        }
        if (attempt < INLINE_ATTEMPTS) {
            return "inline retry " + attempt;
        }
        return attempt < INLINE_ATTEMPTS + SCHEDULE_STEPS ? "retry function attempt " + (attempt - INLINE_ATTEMPTS + 1)
                : "replay";
    }

    private void subscribe(String id, Instant oldSecretExpiresAt) {
        putSubscription(id, Map.of(
                "previousSecrets", AttributeValue.fromL(List.of(AttributeValue.fromM(Map.of(
                        "secret", AttributeValue.fromS(OLD_SECRET),
                        "expiresAt", AttributeValue.fromN(Long.toString(oldSecretExpiresAt.getEpochSecond())))))),
                "headers", AttributeValue.fromM(Map.of("Authorization", AttributeValue.fromS(TOKEN),
                        "X-Api-Key", AttributeValue.fromS(API_KEY)))));
    }

    private void putSubscription(String id, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new HashMap<>(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS(harness.receiver().url("/" + id)), "secret", AttributeValue.fromS(NEW_SECRET)));
        item.putAll(extra);
        dynamoDb.putItem(b -> b.tableName(harness.subscriptionsTable()).item(item));
    }

    private static void assertStaticHeaders(Received request, String path) {
        // compared without assertEquals, whose failure message would print the values
        assertTrue(List.of(TOKEN).equals(request.headers().get("authorization")), path + ": Authorization missing or changed");
        assertTrue(List.of(API_KEY).equals(request.headers().get("x-api-key")), path + ": X-Api-Key missing or changed");
    }

    private static void assertNothingSecretIn(String text) {
        for (String secret : List.of(NEW_SECRET, OLD_SECRET)) {
            assertFalse(text.contains(secret.substring("whsec_".length())), "a secret in the text (not shown)");
        }
        assertFalse(text.contains("tok-3f9a7c51e2"), "the Authorization value in the text (not shown)");
        assertFalse(text.contains(API_KEY), "the X-Api-Key value in the text (not shown)");
        assertFalse(text.contains("v1,"), "a signature in the text (not shown)");
    }

    /** Whether the reference library, holding only this secret, accepts the request. */
    private static boolean verifies(Received request, String secret) {
        try {
            new Webhook(secret).verify(request.bodyText(), request.headers());
            return true;
        } catch (WebhookVerificationException e) {
            return false;
        }
    }

    /** The {@code v1,} signature the secret gives for this request, computed by the reference library. */
    private static String signatureWith(String secret, Received request) {
        try {
            return new Webhook(secret).sign(request.header("webhook-id"),
                    Long.parseLong(request.header("webhook-timestamp")), request.bodyText());
        } catch (WebhookSigningException e) {
            throw new IllegalStateException(e);
        }
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

    private String invokeRetryFunction(String eventJson) {
        try {
            return JSON.writeValueAsString(retryFunction.retry(JSON.readValue(eventJson, SqsEvent.class)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
