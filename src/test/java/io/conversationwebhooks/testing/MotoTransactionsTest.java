package io.conversationwebhooks.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * TransactWriteItems through {@code moto_launcher.py} (the undo log) behaves as moto's own (the whole-table copy): every
 * case runs against both, started side by side; what DynamoDB documents is asserted
 * (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html">TransactWriteItems</a>):
 * all or nothing, cancellation reasons in the order of the actions, validation errors that write nothing.
 */
class MotoTransactionsTest {

    /** How moto is started. */
    enum Moto {
        LAUNCHER(true), INSTALLED(false);

        final boolean fastTransactions;

        Moto(boolean fastTransactions) {
            this.fastTransactions = fastTransactions;
        }
    }

    /** One running moto with a hash-key table with a stream, and the ledger table of template.yaml (hash + range). */
    private record Emulator(DynamoDbEmulator.Moto moto, DynamoDbClient dynamoDb, DynamoDbStreamsClient streams,
            String conversations, String conversationsStream, String deliveries) {
    }

    private static final Map<Moto, Emulator> EMULATORS = new EnumMap<>(Moto.class);

    @BeforeAll
    static void startEmulators() {
        for (Moto mode : Moto.values()) {
            DynamoDbEmulator.Moto moto = DynamoDbEmulator.Moto.startMoto(mode.fastTransactions);
            DynamoDbClient dynamoDb = moto.dynamoDb();
            String conversations = "conversations-" + UUID.randomUUID().toString().substring(0, 8);
            String streamArn = dynamoDb.createTable(create -> create.tableName(conversations)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .streamSpecification(StreamSpecification.builder().streamEnabled(true)
                            .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build()))
                    .tableDescription().latestStreamArn();
            String deliveries = "deliveries-" + UUID.randomUUID().toString().substring(0, 8);
            TemplateTables.create(dynamoDb, "DeliveriesTable", deliveries);
            EMULATORS.put(mode, new Emulator(moto, dynamoDb, moto.streams(), conversations, streamArn, deliveries));
        }
    }

    @AfterAll
    static void stopEmulators() {
        EMULATORS.values().forEach(emulator -> {
            emulator.dynamoDb().close();
            emulator.streams().close();
            emulator.moto().close();
        });
    }

    @Test
    void the_launcher_replaces_moto_transact_write_items_and_the_plain_command_does_not() {
        assertTrue(EMULATORS.get(Moto.LAUNCHER).moto().fastTransactions(), "see the moto log in target/ for the warning");
        assertFalse(EMULATORS.get(Moto.INSTALLED).moto().fastTransactions());
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void a_failed_condition_cancels_the_transaction_and_the_earlier_put_stays_unwritten(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        String first = id();
        String existing = id();
        emulator.dynamoDb().putItem(put -> put.tableName(emulator.conversations()).item(conversation(existing, "open")));

        // when
        TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class,
                () -> emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(
                        putIfAbsent(emulator.conversations(), conversation(first, "new")),
                        putIfAbsent(emulator.conversations(), conversation(existing, "changed")))));

        // then
        assertEquals(List.of("None", "ConditionalCheckFailed"), codes(cancelled));
        assertNull(cancelled.cancellationReasons().get(0).message());
        assertEquals("The conditional request failed", cancelled.cancellationReasons().get(1).message());
        assertFalse(emulator.dynamoDb().getItem(get -> get.tableName(emulator.conversations()).key(key(first))).hasItem());
        assertEquals(conversation(existing, "open"), conversationItem(emulator, existing));
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void a_transaction_whose_conditions_hold_writes_every_item(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> id()).toList();

        // when
        emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(ids.stream()
                .map(id -> putIfAbsent(emulator.conversations(), conversation(id, "status-" + id))).toList()));

        // then
        for (String id : ids) {
            assertEquals(conversation(id, "status-" + id), conversationItem(emulator, id));
        }
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void a_cancelled_transaction_puts_updated_and_deleted_items_back_exactly(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        String webhookId = "msg_" + id();
        Map<String, AttributeValue> updated = delivery(webhookId, "sub-a", "PARKED");
        Map<String, AttributeValue> deleted = delivery(webhookId, "sub-b", "DELIVERED");
        emulator.dynamoDb().putItem(put -> put.tableName(emulator.deliveries()).item(updated));
        emulator.dynamoDb().putItem(put -> put.tableName(emulator.deliveries()).item(deleted));

        // when
        TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class,
                () -> emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(
                        TransactWriteItem.builder().update(Update.builder().tableName(emulator.deliveries())
                                .key(deliveryKey(webhookId, "sub-a"))
                                .updateExpression("SET outcome = :outcome, attempts = attempts + :one, "
                                        + "progress.statusCode = :status REMOVE nextAttemptAt")
                                .expressionAttributeValues(Map.of(":outcome", AttributeValue.fromS("DELIVERED"),
                                        ":one", AttributeValue.fromN("1"), ":status", AttributeValue.fromN("200")))
                                .build()).build(),
                        TransactWriteItem.builder().delete(Delete.builder().tableName(emulator.deliveries())
                                .key(deliveryKey(webhookId, "sub-b")).build()).build(),
                        TransactWriteItem.builder().update(Update.builder().tableName(emulator.deliveries())
                                .key(deliveryKey(webhookId, "sub-new"))
                                .updateExpression("SET outcome = :outcome")
                                .expressionAttributeValues(Map.of(":outcome", AttributeValue.fromS("SKIPPED")))
                                .build()).build(),
                        TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(emulator.deliveries())
                                .key(deliveryKey(webhookId, "sub-absent"))
                                .conditionExpression("attribute_exists(webhookId)").build()).build())));

        // then
        assertEquals(List.of("None", "None", "None", "ConditionalCheckFailed"), codes(cancelled));
        assertEquals(updated, deliveryItem(emulator, webhookId, "sub-a"));
        assertEquals(deleted, deliveryItem(emulator, webhookId, "sub-b"));
        assertNull(deliveryItem(emulator, webhookId, "sub-new"));
        assertEquals(2, emulator.dynamoDb().query(query -> query.tableName(emulator.deliveries()).consistentRead(true)
                .keyConditionExpression("webhookId = :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(webhookId)))).count());
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void a_transaction_over_two_tables_is_all_or_nothing(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        String conversationId = id();
        String webhookId = "msg_" + id();
        String taken = id();
        emulator.dynamoDb().putItem(put -> put.tableName(emulator.conversations()).item(conversation(taken, "open")));

        // when
        assertThrows(TransactionCanceledException.class, () -> emulator.dynamoDb().transactWriteItems(transaction ->
                transaction.transactItems(putIfAbsent(emulator.deliveries(), delivery(webhookId, "sub-a", "DELIVERED")),
                        putIfAbsent(emulator.conversations(), conversation(conversationId, "open")),
                        putIfAbsent(emulator.conversations(), conversation(taken, "closed")))));
        Map<String, AttributeValue> unwrittenDelivery = deliveryItem(emulator, webhookId, "sub-a");
        Map<String, AttributeValue> unwrittenConversation = conversationItem(emulator, conversationId);
        emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(
                putIfAbsent(emulator.deliveries(), delivery(webhookId, "sub-a", "DELIVERED")),
                putIfAbsent(emulator.conversations(), conversation(conversationId, "open"))));

        // then
        assertNull(unwrittenDelivery);
        assertNull(unwrittenConversation);
        assertEquals(conversation(taken, "open"), conversationItem(emulator, taken));
        assertEquals(delivery(webhookId, "sub-a", "DELIVERED"), deliveryItem(emulator, webhookId, "sub-a"));
        assertEquals(conversation(conversationId, "open"), conversationItem(emulator, conversationId));
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void a_cancelled_transaction_leaves_no_stream_records_and_a_committed_one_leaves_one_per_write(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        String existing = id();
        emulator.dynamoDb().putItem(put -> put.tableName(emulator.conversations()).item(conversation(existing, "open")));
        List<String> before = streamRecords(emulator);

        // when
        assertThrows(TransactionCanceledException.class, () -> emulator.dynamoDb().transactWriteItems(transaction ->
                transaction.transactItems(putIfAbsent(emulator.conversations(), conversation(id(), "open")),
                        TransactWriteItem.builder().put(Put.builder().tableName(emulator.conversations())
                                .item(conversation(existing, "closed")).build()).build(),
                        TransactWriteItem.builder().conditionCheck(ConditionCheck.builder()
                                .tableName(emulator.conversations()).key(key(id()))
                                .conditionExpression("attribute_exists(id)").build()).build())));
        List<String> afterCancelled = streamRecords(emulator);
        Map<String, AttributeValue> overwrittenThenCancelled = conversationItem(emulator, existing);
        String inserted = id();
        emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(
                putIfAbsent(emulator.conversations(), conversation(inserted, "open")),
                TransactWriteItem.builder().put(Put.builder().tableName(emulator.conversations())
                        .item(conversation(existing, "closed")).build()).build()));
        List<String> afterCommitted = streamRecords(emulator);

        // then
        assertEquals(before, afterCancelled);
        assertEquals(conversation(existing, "open"), overwrittenThenCancelled);
        assertEquals(List.of("INSERT " + inserted, "MODIFY " + existing),
                afterCommitted.subList(before.size(), afterCommitted.size()));
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void two_actions_on_one_item_are_a_validation_error_that_writes_nothing(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        String other = id();
        String twice = id();

        // when
        DynamoDbException refused = assertThrows(DynamoDbException.class, () -> emulator.dynamoDb().transactWriteItems(
                transaction -> transaction.transactItems(putIfAbsent(emulator.conversations(), conversation(other, "open")),
                        putIfAbsent(emulator.conversations(), conversation(twice, "open")),
                        TransactWriteItem.builder().delete(Delete.builder().tableName(emulator.conversations())
                                .key(key(twice)).build()).build())));

        // then
        assertFalse(refused instanceof TransactionCanceledException);
        assertEquals("ValidationException", refused.awsErrorDetails().errorCode());
        assertEquals("Transaction request cannot include multiple operations on one item",
                refused.awsErrorDetails().errorMessage());
        assertNull(conversationItem(emulator, other));
        assertNull(conversationItem(emulator, twice));
    }

    @ParameterizedTest
    @EnumSource(Moto.class)
    void a_failed_condition_returns_the_old_item_when_asked(Moto mode) {
        // given
        Emulator emulator = EMULATORS.get(mode);
        String existing = id();
        emulator.dynamoDb().putItem(put -> put.tableName(emulator.conversations()).item(conversation(existing, "open")));

        // when
        TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class,
                () -> emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(
                        TransactWriteItem.builder().put(Put.builder().tableName(emulator.conversations())
                                .item(conversation(existing, "closed")).conditionExpression("attribute_not_exists(id)")
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                                .build()).build())));

        // then
        CancellationReason reason = cancelled.cancellationReasons().get(0);
        assertEquals("ConditionalCheckFailed", reason.code());
        assertEquals(conversation(existing, "open"), reason.item());
    }

    /**
     * Not an assertion of speed: prints what a 5-Put transaction costs at 5,000 items in the table, with moto's own
     * TransactWriteItems and with the launcher's, and checks that both wrote the items.
     */
    @Test
    void prints_the_time_of_a_five_put_transaction_in_a_table_of_5000_items() {
        List<String> lines = new ArrayList<>();
        for (Moto mode : Moto.values()) {
            // given
            Emulator emulator = EMULATORS.get(mode);
            String table = "filled-" + UUID.randomUUID().toString().substring(0, 8);
            TemplateTables.create(emulator.dynamoDb(), "DeliveriesTable", table);
            String webhookId = "msg_" + id();
            for (int batch = 0; batch < 200; batch++) {
                List<WriteRequest> writes = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    writes.add(WriteRequest.builder().putRequest(PutRequest.builder()
                            .item(delivery(webhookId, "sub-" + (batch * 25 + i), "DELIVERED")).build()).build());
                }
                emulator.dynamoDb().batchWriteItem(write -> write.requestItems(Map.of(table, writes)));
            }

            // when
            long[] millis = new long[5];
            for (int round = 0; round < millis.length; round++) {
                String roundId = "msg_" + id();
                List<TransactWriteItem> puts = IntStream.range(0, 5)
                        .mapToObj(i -> putIfAbsent(table, delivery(roundId, "sub-" + i, "DELIVERED"))).toList();
                long start = System.nanoTime();
                emulator.dynamoDb().transactWriteItems(transaction -> transaction.transactItems(puts));
                millis[round] = (System.nanoTime() - start) / 1_000_000;

                // then
                assertEquals(5, emulator.dynamoDb().query(query -> query.tableName(table).consistentRead(true)
                        .keyConditionExpression("webhookId = :id")
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(roundId)))).count());
            }
            long[] sorted = millis.clone();
            Arrays.sort(sorted);
            lines.add(String.format("moto %-9s 5-Put TransactWriteItems at 5,000 items: median %d ms, each %s ms",
                    mode == Moto.LAUNCHER ? "launcher" : "installed", sorted[sorted.length / 2], Arrays.toString(millis)));
        }
        lines.forEach(System.out::println);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("id", AttributeValue.fromS(id));
    }

    private static Map<String, AttributeValue> conversation(String id, String status) {
        return Map.of("id", AttributeValue.fromS(id), "status", AttributeValue.fromS(status),
                "mailboxId", AttributeValue.fromN("7"), "tags", AttributeValue.fromL(List.of(AttributeValue.fromS("vip"))));
    }

    private static Map<String, AttributeValue> deliveryKey(String webhookId, String subscriptionId) {
        return Map.of("webhookId", AttributeValue.fromS(webhookId), "subscriptionId", AttributeValue.fromS(subscriptionId));
    }

    private static Map<String, AttributeValue> delivery(String webhookId, String subscriptionId, String outcome) {
        return Map.of("webhookId", AttributeValue.fromS(webhookId), "subscriptionId", AttributeValue.fromS(subscriptionId),
                "outcome", AttributeValue.fromS(outcome), "attempts", AttributeValue.fromN("3"),
                "nextAttemptAt", AttributeValue.fromS("2026-11-30T12:05:00Z"),
                "progress", AttributeValue.fromM(Map.of("statusCode", AttributeValue.fromN("503"),
                        "error", AttributeValue.fromS("HTTP 503"))));
    }

    private static TransactWriteItem putIfAbsent(String table, Map<String, AttributeValue> item) {
        String hashKey = item.containsKey("webhookId") ? "webhookId" : "id";
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(" + hashKey + ")").build()).build();
    }

    private static Map<String, AttributeValue> conversationItem(Emulator emulator, String id) {
        var response = emulator.dynamoDb().getItem(get -> get.tableName(emulator.conversations()).key(key(id))
                .consistentRead(true));
        return response.hasItem() ? response.item() : null;
    }

    private static Map<String, AttributeValue> deliveryItem(Emulator emulator, String webhookId, String subscriptionId) {
        var response = emulator.dynamoDb().getItem(get -> get.tableName(emulator.deliveries())
                .key(deliveryKey(webhookId, subscriptionId)).consistentRead(true));
        return response.hasItem() ? response.item() : null;
    }

    private static List<String> codes(TransactionCanceledException cancelled) {
        return cancelled.cancellationReasons().stream().map(CancellationReason::code).toList();
    }

    /** The stream's records so far, as {@code "<eventName> <id>"}. */
    private static List<String> streamRecords(Emulator emulator) {
        DynamoDbStreamsClient streams = emulator.streams();
        String shardId = streams.describeStream(describe -> describe.streamArn(emulator.conversationsStream()))
                .streamDescription().shards().get(0).shardId();
        String iterator = streams.getShardIterator(get -> get.streamArn(emulator.conversationsStream()).shardId(shardId)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<String> records = new ArrayList<>();
        while (iterator != null) {
            String current = iterator;
            var page = streams.getRecords(get -> get.shardIterator(current).limit(1000));
            page.records().forEach(record -> records.add(record.eventNameAsString() + " "
                    + record.dynamodb().keys().get("id").s()));
            if (page.records().isEmpty()) {
                break;
            }
            iterator = page.nextShardIterator();
        }
        return records;
    }
}
