package io.conversationwebhooks.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.change.ChangeDetector;
import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.WebhookIds;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.stream.StreamRecordDecoder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Writes FreeScout conversations through the DynamoDB API and reads the records they produce from the DynamoDB
 * Streams API, as Lambda's event source mapping would. Reads start where the stream ended when this was made.
 */
public final class ConversationTable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One expected webhook: a (record, event) pair. */
    public record Expected(String webhookId, String conversationId, String sequenceNumber, String event) {
    }

    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient streams;
    private final String table;
    private final String streamArn;
    private String iterator;

    public ConversationTable(DynamoDbClient dynamoDb, DynamoDbStreamsClient streams, String table, String streamArn) {
        this.dynamoDb = dynamoDb;
        this.streams = streams;
        this.table = table;
        this.streamArn = streamArn;
        String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0).shardId();
        this.iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
    }

    /** Creates a published, active conversation in a mailbox (an INSERT: {@code convo.created}). */
    public void create(String id, String mailboxId) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("id", AttributeValue.fromN(id));
        item.put("number", AttributeValue.fromN("9" + id));
        item.put("threadsCount", AttributeValue.fromN("1"));
        item.put("type", AttributeValue.fromN("1"));
        item.put("status", AttributeValue.fromN("1"));
        item.put("state", AttributeValue.fromN("2"));
        item.put("subject", AttributeValue.fromS("Order " + id + " arrived broken"));
        item.put("mailboxId", AttributeValue.fromN(mailboxId));
        item.put("customer", AttributeValue.fromM(Map.of("id", AttributeValue.fromN("900"),
                "email", AttributeValue.fromS("jo@example.com"))));
        item.put("createdAt", AttributeValue.fromS("2026-11-30T11:00:00Z"));
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    /** Changes a conversation's status (a MODIFY: {@code convo.status}). */
    public void status(String id, int status) {
        dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromN(id)))
                .updateExpression("SET #status = :status")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":status", AttributeValue.fromN(Integer.toString(status)))));
    }

    /** The records written since the last read, in stream order. */
    public List<Record> read() {
        List<Record> records = new ArrayList<>();
        var page = streams.getRecords(b -> b.shardIterator(iterator));
        records.addAll(page.records());
        iterator = page.nextShardIterator();
        return records;
    }

    /** The Lambda event for records. */
    public String event(List<Record> records) {
        return StreamsEvents.lambdaEvent(records, streamArn);
    }

    /** The webhooks an event's records owe each subscriber that takes everything, in stream and contract order. */
    public static List<Expected> expected(String lambdaEvent) {
        try {
            List<Expected> expected = new ArrayList<>();
            for (JsonNode raw : JSON.readTree(lambdaEvent).get("Records")) {
                StreamRecord record = StreamRecordDecoder.decode(raw);
                for (ConversationEvent event : ChangeDetector.detect(record)) {
                    expected.add(new Expected(WebhookIds.webhookId(record, event), record.conversationId(),
                            record.sequenceNumber(), event.eventName()));
                }
            }
            return expected;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
