package io.conversationwebhooks.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.TemplateTables;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code ./replay.sh} as an operator runs it (README, "Replay dead-lettered deliveries"): a separate process started
 * from what the build made, against a real ledger and subscriptions table and a real receiver. The script runs from a
 * copy of the project whose {@code mvnw} only records that it was called, so a replay that builds fails here.
 */
class ReplayScriptTest {

    private static final String SECRET = "whsec_cmVwbGF5IHNjcmlwdCB0ZXN0IHNlY3JldCAwMDAwMQ==";
    private static final Path PROJECT = Path.of("").toAbsolutePath();

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;
    private static String deliveries;
    private static String subscriptions;
    private static WebhookReceiver receiver;

    @TempDir
    Path copy;

    private String subscriptionId;
    private String webhookId;

    @BeforeAll
    static void start() {
        emulator = DynamoDbEmulator.start();
        dynamoDb = emulator.dynamoDb();
        deliveries = "deliveries-" + UUID.randomUUID().toString().substring(0, 8);
        subscriptions = "subscriptions-" + UUID.randomUUID().toString().substring(0, 8);
        TemplateTables.create(dynamoDb, "DeliveriesTable", deliveries);
        TemplateTables.create(dynamoDb, "SubscriptionsTable", subscriptions);
        receiver = WebhookReceiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        dynamoDb.close();
        emulator.close();
    }

    @BeforeEach
    void deadLetter() throws IOException {
        subscriptionId = "replay-" + UUID.randomUUID();
        webhookId = "msg_" + UUID.randomUUID().toString().replace("-", "");
        dynamoDb.putItem(b -> b.tableName(subscriptions).item(Map.of("id", AttributeValue.fromS(subscriptionId),
                "url", AttributeValue.fromS(receiver.url("/" + subscriptionId)), "secret", AttributeValue.fromS(SECRET))));
        DeliveryLedger ledger = new DeliveryLedger(dynamoDb, deliveries, Duration.ofDays(3), Duration.ofDays(14),
                Clock.systemUTC());
        LedgerDelivery delivery = new LedgerDelivery(webhookId, subscriptionId, "convo.status", "conversation#1001", "4200");
        assertTrue(ledger.finish(delivery, LedgerOutcome.DEAD_LETTERED, new Progress(7, 503, "HTTP 503", 0),
                "{\"id\":1001}".getBytes(StandardCharsets.UTF_8)));

        Files.copy(PROJECT.resolve("replay.sh"), copy.resolve("replay.sh"));
        Files.writeString(copy.resolve("mvnw"), "#!/bin/sh\ntouch \"$(dirname \"$0\")/mvnw-was-called\"\nexit 97\n");
        Files.setPosixFilePermissions(copy.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(copy.resolve("replay.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(copy.resolve("target"), PROJECT.resolve("target"));
    }

    @Test
    void replays_from_the_built_project_without_building_and_prints_no_error() throws Exception {
        // when
        Run run = replay(Map.of(), subscriptionId);

        // then
        assertFalse(Files.exists(copy.resolve("mvnw-was-called")), "replay.sh ran the build: " + run.output());
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("delivered convo.status " + webhookId), run.output());
        assertEquals(List.of(webhookId), receiver.requests("/" + subscriptionId).stream().map(r -> r.header("webhook-id")).toList());
        assertFalse(run.output().contains("ERROR"), run.output());
    }

    @Test
    void an_attempt_lasts_as_long_as_WEBHOOKS_DELIVERY_TIMEOUT_as_for_the_functions() throws Exception {
        // given: the subscriber answers after 4 s, a timeout of 1 s
        receiver.script("/" + subscriptionId, new Answer(200, Map.of(), Duration.ofSeconds(4)));

        // when
        Run run = replay(Map.of("WEBHOOKS_DELIVERY_TIMEOUT", "1s"), subscriptionId);

        // then: the attempt timed out and the replay stopped there
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("FAILED convo.status " + webhookId), run.output());
    }

    @Test
    void a_replayed_delivery_is_kept_for_WEBHOOKS_DELIVERIES_RETENTION() throws Exception {
        // when
        Instant before = Instant.now();
        Run run = replay(Map.of("WEBHOOKS_DELIVERIES_RETENTION", "1d"), subscriptionId);
        Instant after = Instant.now();

        // then
        assertEquals(0, run.exit(), run.output());
        long expiresAt = Long.parseLong(dynamoDb.getItem(b -> b.tableName(deliveries).consistentRead(true)
                .key(Map.of("webhookId", AttributeValue.fromS(webhookId), "subscriptionId", AttributeValue.fromS(subscriptionId))))
                .item().get("expiresAt").n());
        assertTrue(expiresAt >= before.plus(Duration.ofDays(1)).getEpochSecond() - 1
                && expiresAt <= after.plus(Duration.ofDays(1)).getEpochSecond() + 1, "expiresAt " + expiresAt);
    }

    @Test
    void readme_and_help_name_every_setting_and_exit_status() throws Exception {
        // given: what the replay reads
        List<String> settings = List.of("WEBHOOKS_DELIVERIES_TABLE", "WEBHOOKS_SUBSCRIPTIONS_TABLE",
                "WEBHOOKS_DELIVERIES_RETENTION", "WEBHOOKS_DEAD_LETTER_RETENTION", "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS",
                "WEBHOOKS_DELIVERY_CONNECT_TIMEOUT", "WEBHOOKS_DELIVERY_TIMEOUT", "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE",
                "AWS_REGION");
        String readme = Files.readString(PROJECT.resolve("README.md"));
        int from = readme.indexOf("### Replay dead-lettered deliveries");
        String section = readme.substring(from, readme.indexOf("\n## ", from));

        // when
        Run help = replay(Map.of(), "--help");

        // then
        assertEquals(0, help.exit(), help.output());
        for (String setting : settings) {
            assertTrue(section.contains("`" + setting + "`"), setting + " in README's replay section");
            assertTrue(help.output().contains(setting), setting + " in --help: " + help.output());
        }
        for (String status : List.of("| 0 |", "| 1 |", "| 2 |", "| 3 |")) {
            assertTrue(section.contains(status), "exit status " + status + " in README's replay section");
        }
        assertFalse(section.contains("_SECONDS"), "the functions' names, not a variant");
    }

    private Run replay(Map<String, String> settings, String argument) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(copy.resolve("replay.sh").toString(), argument).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("WEBHOOKS_") || name.startsWith("QUARKUS_") || name.startsWith("AWS_"));
        Map<String, String> all = new HashMap<>(Map.of("WEBHOOKS_DELIVERIES_TABLE", deliveries,
                "WEBHOOKS_SUBSCRIPTIONS_TABLE", subscriptions, "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true",
                "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", emulator.endpoint().toString(), "AWS_REGION", DynamoDbEmulator.REGION,
                "AWS_ACCESS_KEY_ID", DynamoDbEmulator.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", DynamoDbEmulator.SECRET_KEY));
        all.putAll(settings);
        env.putAll(all);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
            reader.lines().forEach(lines::add);
        }
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "replay.sh did not end");
        return new Run(process.exitValue(), String.join("\n", lines));
    }

    private record Run(int exit, String output) {
    }
}
