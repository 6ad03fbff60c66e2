package io.conversationwebhooks.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link CountingProxy} in front of the emulator: the SDK's calls pass through with their results and are counted. */
class CountingProxyTest {

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient direct;
    private static String table;

    private CountingProxy proxy;
    private DynamoDbClient dynamoDb;

    @BeforeAll
    static void startEmulator() {
        emulator = DynamoDbEmulator.start();
        direct = emulator.dynamoDb();
        table = "counted-" + UUID.randomUUID().toString().substring(0, 8);
        direct.createTable(create -> create.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
    }

    @AfterAll
    static void stopEmulator() {
        direct.close();
        emulator.close();
    }

    @BeforeEach
    void startProxy() {
        proxy = CountingProxy.start(emulator.endpoint());
        dynamoDb = DynamoDbClient.builder().endpointOverride(proxy.endpoint()).region(Region.of(DynamoDbEmulator.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbEmulator.ACCESS_KEY, DynamoDbEmulator.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stopProxy() {
        dynamoDb.close();
        proxy.close();
    }

    @Test
    void should_count_each_operation_when_sdk_calls_pass_through() {
        // given
        String prefix = UUID.randomUUID().toString();

        // when
        for (int i = 0; i < 3; i++) {
            put(dynamoDb, prefix + "-" + i, "value-" + i);
        }
        BatchGetItemResponse read = dynamoDb.batchGetItem(batch -> batch.requestItems(Map.of(table,
                KeysAndAttributes.builder().keys(key(prefix + "-0"), key(prefix + "-2"), key(prefix + "-absent")).build())));
        dynamoDb.transactWriteItems(transaction -> transaction.transactItems(
                putItem(prefix + "-t1", "t1"), putItem(prefix + "-t2", "t2")));

        // then
        assertEquals(Map.of("BatchGetItem", 1L, "PutItem", 3L, "TransactWriteItems", 1L), proxy.counts());
        assertEquals(List.of("BatchGetItem", "PutItem", "TransactWriteItems"), List.copyOf(proxy.counts().keySet()));
        assertEquals(3, proxy.count("PutItem"));
        assertEquals(0, proxy.count("GetItem"));
        assertEquals(5, proxy.total());
        List<String> values = read.responses().get(table).stream().map(item -> item.get("value").s()).sorted().toList();
        assertEquals(List.of("value-0", "value-2"), values);
        assertEquals("t2", direct.getItem(get -> get.tableName(table).key(key(prefix + "-t2"))).item().get("value").s());
    }

    @Test
    void should_start_from_zero_when_reset() {
        // given
        put(dynamoDb, "reset-" + UUID.randomUUID(), "before");
        assertEquals(1, proxy.total());

        // when
        proxy.reset();
        String id = "reset-" + UUID.randomUUID();
        put(dynamoDb, id, "after");
        dynamoDb.getItem(get -> get.tableName(table).key(key(id)));

        // then
        assertEquals(Map.of("GetItem", 1L, "PutItem", 1L), proxy.counts());
        assertEquals(2, proxy.total());
    }

    @Test
    void should_forward_and_count_every_call_when_calls_are_concurrent() throws Exception {
        // given
        String id = "concurrent-" + UUID.randomUUID();
        put(direct, id, "shared");
        ExecutorService threads = Executors.newFixedThreadPool(32);

        // when
        List<Future<String>> reads = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                reads.add(threads.submit(
                        () -> dynamoDb.getItem(get -> get.tableName(table).key(key(id))).item().get("value").s()));
            }
            for (Future<String> read : reads) {
                // then
                assertEquals("shared", read.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(Map.of("GetItem", 200L), proxy.counts());
    }

    @Test
    void should_count_sqs_json_calls_by_their_target() {
        // given
        try (SqsClient sqs = SqsClient.builder().endpointOverride(proxy.endpoint()).region(Region.of(DynamoDbEmulator.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbEmulator.ACCESS_KEY, DynamoDbEmulator.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            String queueUrl = sqs.createQueue(create -> create.queueName("counted-" + UUID.randomUUID())).queueUrl();

            // when
            sqs.sendMessage(send -> send.queueUrl(queueUrl).messageBody("one"));
            sqs.sendMessage(send -> send.queueUrl(queueUrl).messageBody("two"));
            List<String> received = sqs.receiveMessage(receive -> receive.queueUrl(queueUrl).maxNumberOfMessages(10))
                    .messages().stream().map(message -> message.body()).sorted().toList();

            // then
            assertEquals(List.of("one", "two"), received);
            assertEquals(Map.of("CreateQueue", 1L, "ReceiveMessage", 1L, "SendMessage", 2L), proxy.counts());
        }
    }

    @Test
    void should_count_query_protocol_by_action_and_the_rest_as_unknown() throws Exception {
        // given
        HttpClient http = HttpClient.newHttpClient();
        URI endpoint = proxy.endpoint();

        // when
        HttpResponse<String> listed = http.send(HttpRequest.newBuilder(endpoint.resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                // moto picks the service from the credential scope; it does not check the signature
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/sqs/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("Version=2012-11-05&Action=ListQueues")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertEquals(200, listed.statusCode(), listed.body());
        assertTrue(listed.body().contains("ListQueuesResponse"), listed.body());
        assertEquals(200, other.statusCode());
        assertEquals(Map.of("ListQueues", 1L, CountingProxy.UNKNOWN, 1L), proxy.counts());
    }

    private static void put(DynamoDbClient client, String id, String value) {
        client.putItem(put -> put.tableName(table).item(Map.of("pk", AttributeValue.fromS(id), "value",
                AttributeValue.fromS(value))));
    }

    private static TransactWriteItem putItem(String id, String value) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(Map.of("pk", AttributeValue.fromS(id), "value", AttributeValue.fromS(value)))
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("pk", AttributeValue.fromS(id));
    }
}
