package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.testing.ConversationTable;
import io.conversationwebhooks.testing.ConversationTable.Expected;
import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.conversationwebhooks.testing.InjectHarness;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Answered;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The ledger without a retry queue: a failed delivery fails its record as before (CONTRACT section 7), and Lambda's
 * retry of the shard then reaches nobody twice.
 */
@QuarkusTest
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "retry-queue", value = "false"))
class LedgerWithoutRetryQueueTest {

    private static final String SECRET = "whsec_bGVkZ2VyIG9ubHkgdGVzdCBzZWNyZXQga2V5IDAwMDE=";

    @InjectHarness
    DeliveryGuaranteesResource.Harness harness;

    private DynamoDbClient dynamoDb;
    private ConversationTable conversations;

    @BeforeEach
    void setUp() {
        harness.receiver().reset();
        dynamoDb = harness.emulator().dynamoDb();
        conversations = new ConversationTable(dynamoDb, harness.emulator().streams(), harness.conversationsTable(),
                harness.conversationsStreamArn());
        subscribe("everything", "/everything", Map.of());
        subscribe("mailbox-1", "/mailbox-1", Map.of("mailboxes", AttributeValue.fromNs(List.of("1"))));
    }

    @Test
    void a_record_retried_by_lambda_after_a_failure_reaches_nobody_twice() {
        // given: A (mailbox 1) fails at the mailbox-1 subscriber; B (mailbox 2) is not for it
        harness.receiver().rule("/mailbox-1", request -> Answer.status(503));
        conversations.create("8101", "1");
        conversations.create("8102", "2");
        conversations.status("8102", 2);
        conversations.status("8101", 2);
        List<Record> records = conversations.read();
        String event = conversations.event(records);
        List<Expected> expected = ConversationTable.expected(event);

        // when
        String response = LambdaRuntime.invoke(event);

        // then: A's records reported, as without a ledger
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + records.get(0).dynamodb().sequenceNumber()
                + "\"},{\"itemIdentifier\":\"" + records.get(3).dynamodb().sequenceNumber() + "\"}]}", response);
        assertEquals(3, harness.receiver().requests("/everything").size());

        // when: the subscriber is back and Lambda retries the shard from the first reported record
        harness.receiver().reset();
        harness.receiver().rule("/mailbox-1", request -> null);
        String retried = LambdaRuntime.invoke(event);

        // then: only what was missing was sent
        assertEquals("{\"batchItemFailures\":[]}", retried);
        List<Received> everything = harness.receiver().requests("/everything");
        assertEquals(List.of(expected.get(3).webhookId()), everything.stream().map(r -> r.header("webhook-id")).toList(),
                "A's second change; the three delivered before are not sent again");
        List<String> ofA = expected.stream().filter(e -> e.conversationId().equals("8101")).map(Expected::webhookId).toList();
        assertEquals(ofA, harness.receiver().requests("/mailbox-1").stream().map(r -> r.header("webhook-id")).toList());
        for (String webhookId : ofA) {
            assertEquals("delivered", dynamoDb.getItem(b -> b.tableName(harness.deliveriesTable()).consistentRead(true)
                    .key(Map.of("webhookId", AttributeValue.fromS(webhookId), "subscriptionId", AttributeValue.fromS("mailbox-1"))))
                    .item().get("outcome").s());
        }
    }

    @Test
    void the_same_batch_twice_reaches_nobody_twice() {
        conversations.create("8201", "1");
        conversations.status("8201", 3);
        String event = conversations.event(conversations.read());

        assertEquals("{\"batchItemFailures\":[]}", LambdaRuntime.invoke(event));
        assertEquals("{\"batchItemFailures\":[]}", LambdaRuntime.invoke(event));

        for (String path : List.of("/everything", "/mailbox-1")) {
            Map<String, Long> acknowledged = harness.receiver().answered(path).stream()
                    .collect(Collectors.groupingBy(a -> a.request().header("webhook-id"), LinkedHashMap::new, Collectors.counting()));
            assertEquals(Map.of(), acknowledged.entrySet().stream().filter(e -> e.getValue() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), path);
            assertEquals(2, acknowledged.size(), path);
        }
        assertEquals(List.of(), harness.receiver().answered("/everything").stream().filter(a -> a.status() >= 300)
                .map(Answered::status).toList());
    }

    private void subscribe(String id, String path, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS(harness.receiver().url(path)), "secret", AttributeValue.fromS(SECRET)));
        item.putAll(extra);
        dynamoDb.putItem(b -> b.tableName(harness.subscriptionsTable()).item(item));
    }
}
