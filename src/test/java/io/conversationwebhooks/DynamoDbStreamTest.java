package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.testing.DynamoDbResource;
import io.conversationwebhooks.testing.InjectHarness;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.StreamsEvents;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * End to end on a real DynamoDB API with real streams: conversations are written through the DynamoDB API as
 * FreeScout would write them, the stream records are read through the DynamoDB Streams API, the function is invoked
 * with them through the Lambda Runtime API, and the subscriptions come from the subscriptions table.
 */
@QuarkusTest
@QuarkusTestResource(value = DynamoDbResource.class, restrictToAnnotatedClass = true)
class DynamoDbStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IGtleSAxMjM0NQ==";

    @InjectHarness
    DynamoDbResource.Harness harness;

    private DynamoDbClient dynamoDb;
    private DynamoDbStreamsClient streams;
    private String shardIterator;

    @BeforeEach
    void setUp() {
        harness.receiver().reset();
        dynamoDb = harness.emulator().dynamoDb();
        streams = harness.emulator().streams();
        shardIterator = latestShardIterator();
        subscription("all", "/all", Map.of());
        subscription("mailbox-2", "/mailbox-2", Map.of("mailboxes", AttributeValue.fromNs(List.of("2"))));
        subscription("status-only", "/status-only", Map.of("events", AttributeValue.fromL(List.of(AttributeValue.fromS("convo.status")))));
        subscription("off", "/off", Map.of("enabled", AttributeValue.fromBool(false)));
    }

    @Test
    void a_conversation_lifecycle_written_through_dynamodb_reaches_subscribers_in_order() throws Exception {
        // given: FreeScout's writes to conversation 501 in mailbox 1
        String id = "501";
        dynamoDb.putItem(b -> b.tableName(harness.conversationsTable()).item(conversation(id)));
        update(id, "SET #status = :closed, threadsCount = threadsCount + :one, closedBy = :user, closedAt = :now, preview = :reply",
                Map.of(":closed", n("3"), ":one", n("1"), ":user", n("7"), ":now", s("2026-11-30T12:00:00Z"),
                        ":reply", s("Thanks, closing this.")));
        update(id, "SET preview = :preview, updatedAt = :now", Map.of(":preview", s("edited"), ":now", s("2026-11-30T12:01:00Z")));
        update(id, "SET assignee = :nobody", Map.of(":nobody", AttributeValue.fromNul(true)));
        update(id, "SET #state = :deleted", Map.of(":deleted", n("3")));
        dynamoDb.deleteItem(b -> b.tableName(harness.conversationsTable()).key(Map.of("id", n(id))));

        // when: Lambda's poller hands the stream records to the function
        List<Record> records = readStream();
        assertEquals(6, records.size(), "INSERT, 4 MODIFY, REMOVE");
        String response = LambdaRuntime.invoke(StreamsEvents.lambdaEvent(records, harness.conversationsStreamArn()));

        // then
        assertEquals("{\"batchItemFailures\":[]}", response);
        List<Received> all = harness.receiver().requests("/all");
        assertEquals(List.of("convo.created", "convo.status", "convo.assigned", "convo.deleted", "convo.deleted_forever"),
                all.stream().map(r -> r.header("x-freescout-event")).toList());
        for (Received request : all) {
            Signatures.assertStandardWebhooksValid(request, SECRET);
            assertEquals(Signatures.freeScoutSignature(SECRET, request.body()), request.header("x-freescout-signature"));
        }
        JsonNode closed = JSON.readTree(all.get(1).body());
        assertEquals("closed", closed.get("status").textValue());
        assertEquals(3, closed.get("threadsCount").intValue());
        assertEquals(7, closed.get("assignee").get("id").intValue());
        assertTrue(JSON.readTree(all.get(2).body()).get("assignee").isNull());
        assertEquals("deleted", JSON.readTree(all.get(3).body()).get("state").textValue());
        assertEquals("deleted", JSON.readTree(all.get(4).body()).get("state").textValue(), "REMOVE sends the old image");

        assertEquals(List.of("convo.status"),
                harness.receiver().requests("/status-only").stream().map(r -> r.header("x-freescout-event")).toList());
        assertEquals(List.of(), harness.receiver().requests("/mailbox-2"));
        assertEquals(List.of(), harness.receiver().requests("/off"));
    }

    @Test
    void a_move_into_a_mailbox_reaches_that_mailbox_subscriber() {
        String id = "502";
        dynamoDb.putItem(b -> b.tableName(harness.conversationsTable()).item(conversation(id)));
        readStream();
        harness.receiver().reset();
        update(id, "SET mailboxId = :two", Map.of(":two", n("2")));

        String response = LambdaRuntime.invoke(StreamsEvents.lambdaEvent(readStream(), harness.conversationsStreamArn()));

        assertEquals("{\"batchItemFailures\":[]}", response);
        assertEquals(List.of("convo.moved"),
                harness.receiver().requests("/mailbox-2").stream().map(r -> r.header("x-freescout-event")).toList());
    }

    @Test
    void when_the_subscriptions_table_cannot_be_read_every_record_is_reported_for_retry() {
        // given
        String id = "503";
        dynamoDb.putItem(b -> b.tableName(harness.conversationsTable()).item(conversation(id)));
        update(id, "SET #status = :pending", Map.of(":pending", n("2")));
        List<Record> records = readStream();
        dynamoDb.deleteTable(b -> b.tableName(harness.subscriptionsTable()));
        try {
            // when
            String response = LambdaRuntime.invoke(StreamsEvents.lambdaEvent(records, harness.conversationsStreamArn()));

            // then
            String expected = records.stream()
                    .map(record -> "{\"itemIdentifier\":\"" + record.dynamodb().sequenceNumber() + "\"}")
                    .collect(java.util.stream.Collectors.joining(",", "{\"batchItemFailures\":[", "]}"));
            assertEquals(2, records.size());
            assertEquals(expected, response);
            assertEquals(List.of(), harness.receiver().requests());
        } finally {
            io.conversationwebhooks.testing.TemplateTables.create(dynamoDb, "SubscriptionsTable", harness.subscriptionsTable());
        }
    }

    private void subscription(String id, String path, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(Map.of("id", s(id),
                "url", s(harness.receiver().url(path)), "secret", s(SECRET)));
        item.putAll(extra);
        dynamoDb.putItem(b -> b.tableName(harness.subscriptionsTable()).item(item));
    }

    private void update(String id, String expression, Map<String, AttributeValue> values) {
        Map<String, String> names = new java.util.HashMap<>();
        if (expression.contains("#status")) {
            names.put("#status", "status");
        }
        if (expression.contains("#state")) {
            names.put("#state", "state");
        }
        dynamoDb.updateItem(b -> b.tableName(harness.conversationsTable()).key(Map.of("id", n(id)))
                .updateExpression(expression).expressionAttributeValues(values)
                .expressionAttributeNames(names.isEmpty() ? null : names));
    }

    /** Reads the stream records written since the last read, as Lambda's event source mapping would. */
    private List<Record> readStream() {
        List<Record> records = new ArrayList<>();
        GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(shardIterator));
        records.addAll(page.records());
        shardIterator = page.nextShardIterator();
        return records;
    }

    /** Where the stream ends now: the test reads only what it writes after this. */
    private String latestShardIterator() {
        Shard shard = streams.describeStream(DescribeStreamRequest.builder().streamArn(harness.conversationsStreamArn()).build())
                .streamDescription().shards().get(0);
        return streams.getShardIterator(b -> b.streamArn(harness.conversationsStreamArn())
                .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
    }

    private static Map<String, AttributeValue> conversation(String id) {
        return Map.ofEntries(
                Map.entry("id", n(id)), Map.entry("number", n("1" + id)), Map.entry("threadsCount", n("2")),
                Map.entry("type", n("1")), Map.entry("folderId", n("4")), Map.entry("status", n("1")),
                Map.entry("state", n("2")), Map.entry("subject", s("Refund for order #" + id)),
                Map.entry("preview", s("Hello, I would like a refund.")), Map.entry("mailboxId", n("1")),
                Map.entry("assignee", AttributeValue.fromM(Map.of("id", n("7"), "firstName", s("Ana"),
                        "lastName", s("Silva"), "email", s("ana@helpdesk.example.com")))),
                Map.entry("customer", AttributeValue.fromM(Map.of("id", n("900"), "type", s("customer"),
                        "firstName", s("Jo"), "lastName", s("Park"), "email", s("jo@example.com")))),
                Map.entry("createdAt", s("2026-11-30T11:00:00Z")), Map.entry("updatedAt", s("2026-11-30T11:00:00Z")),
                Map.entry("cc", AttributeValue.fromSs(List.of("boss@example.com"))));
    }

    private static AttributeValue n(String number) {
        return AttributeValue.fromN(number);
    }

    private static AttributeValue s(String text) {
        return AttributeValue.fromS(text);
    }
}
