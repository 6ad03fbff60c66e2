package io.conversationwebhooks.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.PackagedFunction;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.StreamsEvents;
import io.conversationwebhooks.testing.TemplateTables;
import io.conversationwebhooks.testing.WebhookReceiver;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The main job, locally, with no AWS account and no Docker (run by {@code ./run-local.sh}):
 * <ol>
 * <li>starts a DynamoDB emulator and creates the tables from template.yaml;</li>
 * <li>starts a webhook receiver and stores a subscription for it in the subscriptions table;</li>
 * <li>writes a conversation and changes its status the way FreeScout's "send reply and close" does;</li>
 * <li>reads the stream records through the DynamoDB Streams API;</li>
 * <li>runs the packaged {@code target/function.zip} the way Lambda's managed Java runtime runs it: AWS's Runtime
 * Interface Client with handler {@code io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest}, against a Lambda
 * Runtime API (Quarkus' mock event server) that hands it the records;</li>
 * <li>prints the webhooks that arrived, with both signatures verified.</li>
 * </ol>
 * Exit status 0 when a verified {@code convo.status} arrived and no record failed, 1 otherwise.
 */
public final class LocalRun {

    private static final String SECRET = "whsec_bG9jYWwtcnVuIGRlbW8gc2VjcmV0IGtleSAwMDAx";

    private LocalRun() {
    }

    public static void main(String[] args) throws Exception {
        Path zip = Path.of("target", "function.zip");
        if (!Files.exists(zip)) {
            fail("target/function.zip is missing: run ./mvnw package first");
        }
        int exit;
        try (DynamoDbEmulator emulator = DynamoDbEmulator.start();
                WebhookReceiver receiver = WebhookReceiver.start();
                DynamoDbClient dynamoDb = emulator.dynamoDb();
                DynamoDbStreamsClient streams = emulator.streams()) {
            say("1/6 %s answers on %s (DynamoDB and DynamoDB Streams)", emulator.name(), emulator.endpoint());

            String suffix = UUID.randomUUID().toString().substring(0, 8);
            String conversations = "conversations-" + suffix;
            String subscriptions = "subscriptions-" + suffix;
            String streamArn = TemplateTables.create(dynamoDb, "ConversationsTable", conversations);
            TemplateTables.create(dynamoDb, "SubscriptionsTable", subscriptions);
            say("2/6 tables created from template.yaml: %s (stream %s), %s", conversations, streamArn, subscriptions);

            dynamoDb.putItem(b -> b.tableName(subscriptions).item(Map.of("id", s("local-demo"),
                    "url", s(receiver.url("/webhook")), "secret", s(SECRET),
                    "events", AttributeValue.fromSs(List.of("convo.created", "convo.status")))));
            say("3/6 subscription 'local-demo' -> %s (events convo.created, convo.status)", receiver.url("/webhook"));

            String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0).shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            dynamoDb.putItem(b -> b.tableName(conversations).item(conversation()));
            dynamoDb.updateItem(b -> b.tableName(conversations).key(Map.of("id", n("1001")))
                    .updateExpression("SET #status = :closed, threadsCount = threadsCount + :one, closedBy = :user, "
                            + "closedAt = :now, updatedAt = :now, preview = :reply")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":closed", n("3"), ":one", n("1"), ":user", n("7"),
                            ":now", s("2026-11-30T12:00:00Z"), ":reply", s("Glad it works now. Closing this one."))));
            List<Record> records = streams.getRecords(b -> b.shardIterator(iterator)).records();
            say("4/6 conversation 1001 created (active), then \"send reply and close\" (active -> closed): %d stream records",
                    records.size());

            String event = StreamsEvents.lambdaEvent(records, streamArn);
            exit = runFunction(zip, emulator, subscriptions, event, receiver);
        }
        System.exit(exit);
    }

    private static int runFunction(Path zip, DynamoDbEmulator emulator, String subscriptions, String event,
            WebhookReceiver receiver) throws Exception {
        Path work = Path.of("target", "local-run");
        Path function = PackagedFunction.unzip(zip, work.resolve("function"));
        Map<String, String> environment = Map.of(
                "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", emulator.endpoint().toString(),
                "WEBHOOKS_SUBSCRIPTIONS_TABLE", subscriptions,
                "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true",
                // readable text here, although the Lambda environment is present (JSON is for CloudWatch Logs)
                "WEBHOOKS_LOG_FORMAT", "text");
        try (PackagedFunction running = PackagedFunction.start(function,
                List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"), environment, work.resolve("function.log"))) {
            say("5/6 target/function.zip runs under AWS's Runtime Interface Client (handler %s), fed by a Lambda Runtime "
                    + "API on loopback", PackagedFunction.HANDLER);
            String response = running.invoke(event, Duration.ofSeconds(120));
            say("    function response (%d ms from process start): %s", running.millisSinceStart(), response);
            for (String line : Files.readAllLines(running.log(), StandardCharsets.UTF_8)) {
                if (line.contains("io.co.") || line.contains("ERROR") || line.contains("WARN")
                        || line.startsWith("{\"_aws\"")) {
                    say("    function log | %s", line);
                }
            }
            return report(receiver, response);
        }
    }

    private static int report(WebhookReceiver receiver, String response) {
        List<WebhookReceiver.Received> requests = receiver.requests();
        say("6/6 webhooks received: %d", requests.size());
        boolean statusVerified = false;
        for (WebhookReceiver.Received request : requests) {
            boolean freeScout = Signatures.freeScoutSignature(SECRET, request.body())
                    .equals(request.header("x-freescout-signature"));
            boolean standard;
            try {
                Signatures.assertStandardWebhooksValid(request, SECRET);
                standard = true;
            } catch (AssertionError e) {
                standard = false;
            }
            say("    %s %s  X-FreeScout-Event: %s  webhook-id: %s  webhook-timestamp: %s", request.method(),
                    request.path(), request.header("x-freescout-event"), request.header("webhook-id"),
                    request.header("webhook-timestamp"));
            say("      X-FreeScout-Signature %s (HMAC-SHA1); webhook-signature %s (Standard Webhooks library)",
                    freeScout ? "verified" : "INVALID", standard ? "verified" : "INVALID");
            String body = request.bodyText();
            say("      body: %s", body.length() > 300 ? body.substring(0, 300) + "..." : body);
            if ("convo.status".equals(request.header("x-freescout-event")) && freeScout && standard) {
                statusVerified = true;
            }
        }
        boolean ok = statusVerified && response.contains("\"batchItemFailures\":[]");
        say(ok ? "OK: a verified convo.status webhook was delivered from a real stream record"
                : "FAILED: no verified convo.status webhook (see target/local-run/function.log)");
        return ok ? 0 : 1;
    }

    private static Map<String, AttributeValue> conversation() {
        return Map.ofEntries(Map.entry("id", n("1001")), Map.entry("number", n("31001")),
                Map.entry("threadsCount", n("2")), Map.entry("type", n("1")), Map.entry("folderId", n("2")),
                Map.entry("status", n("1")), Map.entry("state", n("2")), Map.entry("subject", s("Cannot reset my password")),
                Map.entry("preview", s("The reset link says it expired.")), Map.entry("mailboxId", n("1")),
                Map.entry("assignee", AttributeValue.fromM(Map.of("id", n("7"), "firstName", s("Ana"),
                        "lastName", s("Silva"), "email", s("ana@helpdesk.example.com")))),
                Map.entry("customer", AttributeValue.fromM(Map.of("id", n("900"), "type", s("customer"),
                        "firstName", s("Jo"), "lastName", s("Park"), "email", s("jo@example.com")))),
                Map.entry("createdAt", s("2026-11-30T11:00:00Z")), Map.entry("updatedAt", s("2026-11-30T11:00:00Z")));
    }

    private static AttributeValue n(String number) {
        return AttributeValue.fromN(number);
    }

    private static AttributeValue s(String text) {
        return AttributeValue.fromS(text);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
