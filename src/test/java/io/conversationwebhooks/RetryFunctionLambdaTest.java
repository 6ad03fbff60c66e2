package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.parking.ParkedDelivery;
import io.conversationwebhooks.parking.RetryQueue;
import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.conversationwebhooks.testing.InjectHarness;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.RetryQueuePoller;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The retry function as Lambda runs it: the same application with {@code quarkus.funqy.export=conversation-webhooks-retry}
 * (what template.yaml sets as {@code QUARKUS_FUNQY_EXPORT}), an SQS event in through the Lambda Runtime API, the
 * partial batch response out.
 */
@QuarkusTest
@TestProfile(RetryFunctionLambdaTest.RetryExport.class)
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true)
class RetryFunctionLambdaTest {

    private static final String SECRET = "whsec_cmV0cnkgZnVuY3Rpb24gdGVzdCBzZWNyZXQgMDAwMDE=";

    /** Exports the retry function instead of the stream function. */
    public static class RetryExport implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "conversation-webhooks-retry");
        }
    }

    @InjectHarness
    DeliveryGuaranteesResource.Harness harness;

    @Test
    void a_parked_delivery_is_delivered_and_a_failing_one_is_kept_on_the_queue() {
        try (DynamoDbClient dynamoDb = harness.emulator().dynamoDb(); SqsClient sqs = harness.emulator().sqs()) {
            // given: two parked deliveries of one change, to a subscriber that answers and to one that does not
            subscribe(dynamoDb, "answers", harness.receiver().url("/answers"));
            subscribe(dynamoDb, "fails", harness.receiver().url("/fails"));
            harness.receiver().rule("/fails", request -> Answer.status(502));
            byte[] body = "{\"id\":555,\"status\":\"closed\"}".getBytes(StandardCharsets.UTF_8);
            Instant parkedAt = Instant.now().minusSeconds(10);
            RetryQueue queue = new RetryQueue(sqs, harness.retryQueueUrl());
            for (String subscription : List.of("answers", "fails")) {
                queue.send(new ParkedDelivery(new LedgerDelivery("msg_5550000000000000000000000000000a", subscription,
                        "convo.status", "conversations#555", "100000000000000000555"), body,
                        new Progress(3, 503, "HTTP 503", 0), parkedAt, parkedAt.plusSeconds(5), 1));
            }
            List<Message> messages = receive(sqs, 2);

            // when
            String response = LambdaRuntime.invoke(new RetryQueuePoller(sqs, harness.retryQueueUrl(), LambdaRuntime::invoke)
                    .event(messages));

            // then
            String failing = messages.stream().filter(m -> m.body().contains("\"fails\"")).findFirst().orElseThrow().messageId();
            assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + failing + "\"}]}", response);
            List<Received> delivered = harness.receiver().requests("/answers");
            assertEquals(1, delivered.size());
            assertEquals("msg_5550000000000000000000000000000a", delivered.get(0).header("webhook-id"));
            assertEquals("convo.status", delivered.get(0).header("x-freescout-event"));
            assertArrayEquals(body, delivered.get(0).body());
            Signatures.assertStandardWebhooksValid(delivered.get(0), SECRET);
            assertEquals("delivered", ledger(dynamoDb, "answers").get("outcome").s());
            assertEquals("4", ledger(dynamoDb, "answers").get("attempts").n());
            Map<String, AttributeValue> kept = ledger(dynamoDb, "fails");
            assertEquals("parked", kept.get("outcome").s());
            assertEquals("4", kept.get("attempts").n());
            assertEquals("502", kept.get("lastStatus").n());
            assertEquals("2", kept.get("retryStep").n());
            sqs.purgeQueue(b -> b.queueUrl(harness.retryQueueUrl()));
        }
    }

    private List<Message> receive(SqsClient sqs, int count) {
        List<Message> messages = new ArrayList<>();
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
        while (messages.size() < count && Instant.now().isBefore(giveUp)) {
            messages.addAll(sqs.receiveMessage(b -> b.queueUrl(harness.retryQueueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(60).messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                    .messages());
        }
        assertEquals(count, messages.size());
        return messages;
    }

    private void subscribe(DynamoDbClient dynamoDb, String id, String url) {
        dynamoDb.putItem(b -> b.tableName(harness.subscriptionsTable()).item(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS(url), "secret", AttributeValue.fromS(SECRET))));
    }

    private Map<String, AttributeValue> ledger(DynamoDbClient dynamoDb, String subscription) {
        return dynamoDb.getItem(b -> b.tableName(harness.deliveriesTable()).consistentRead(true)
                .key(Map.of("webhookId", AttributeValue.fromS("msg_5550000000000000000000000000000a"),
                        "subscriptionId", AttributeValue.fromS(subscription)))).item();
    }
}
