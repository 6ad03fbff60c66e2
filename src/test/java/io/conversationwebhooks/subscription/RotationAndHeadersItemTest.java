package io.conversationwebhooks.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.testing.CapturedLogs;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.TemplateTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code previousSecrets} and {@code headers} of subscription items (CONTRACT section 4), read from a real DynamoDB
 * API: what is read, and the WARN (id and rule, never a secret or header value) for an item that breaks a rule, while
 * the other items go on.
 */
class RotationAndHeadersItemTest {

    private static final String SECRET = "whsec_bmV3IHNlY3JldCBhZnRlciB0aGUgcm90YXRpb24h";
    private static final String OLD_SECRET = "whsec_b2xkIHNlY3JldCBiZWZvcmUgdGhlIHJvdGF0aW9u";
    private static final String API_KEY = "key-8c1e55d0a2";
    private static final String TOKEN = "Bearer tok-3f9a7c";

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;

    private String table;

    @BeforeAll
    static void startEmulator() {
        emulator = DynamoDbEmulator.start();
        dynamoDb = emulator.dynamoDb();
    }

    @AfterAll
    static void stopEmulator() {
        dynamoDb.close();
        emulator.close();
    }

    @BeforeEach
    void createTable() {
        table = "subscriptions-" + UUID.randomUUID();
        TemplateTables.create(dynamoDb, "SubscriptionsTable", table);
    }

    @Test
    void reads_previous_secrets_with_their_expiry_and_static_headers() {
        // given
        put(item("rotating", Map.of(
                "previousSecrets", AttributeValue.fromL(List.of(previous(OLD_SECRET, "1796040000"),
                        previous("plain old secret", "1796000000"))),
                "headers", AttributeValue.fromM(Map.of("Authorization", AttributeValue.fromS(TOKEN),
                        "X-Api-Key", AttributeValue.fromS(API_KEY))))));
        put(item("plain", Map.of("previousSecrets", AttributeValue.fromNul(true), "headers", AttributeValue.fromM(Map.of()))));

        // when
        Map<String, Subscription> byId = new HashMap<>();
        read().forEach(subscription -> byId.put(subscription.id(), subscription));

        // then
        Subscription rotating = byId.get("rotating");
        assertEquals(List.of(Instant.ofEpochSecond(1796040000L), Instant.ofEpochSecond(1796000000L)),
                rotating.previousSecrets().stream().map(PreviousSecret::expiresAt).toList());
        assertEquals(3, rotating.secretsValidAt(Instant.ofEpochSecond(1795999999L)).size());
        assertEquals(2, rotating.secretsValidAt(Instant.ofEpochSecond(1796000000L)).size());
        assertEquals(1, rotating.secretsValidAt(Instant.ofEpochSecond(1796040000L)).size());
        assertEquals(Map.of("Authorization", TOKEN, "X-Api-Key", API_KEY), rotating.headers());
        Subscription plain = byId.get("plain");
        assertEquals(List.of(), plain.previousSecrets());
        assertEquals(Map.of(), plain.headers());
    }

    @Test
    void refuses_each_item_that_breaks_a_rule_with_a_warn_naming_it_and_keeps_the_others() {
        // given
        Map<String, Map<String, AttributeValue>> broken = new LinkedHashMap<>();
        broken.put("header-not-token", Map.of("headers", headers("X Api Key", API_KEY)));
        broken.put("header-contract", Map.of("headers", headers("webhook-signature", API_KEY)));
        broken.put("header-content-type", Map.of("headers", headers("content-type", API_KEY)));
        broken.put("header-crlf", Map.of("headers", headers("X-Api-Key", API_KEY + "\r\nX-Injected: yes")));
        broken.put("header-not-s", Map.of("headers", AttributeValue.fromM(Map.of("X-Api-Key", AttributeValue.fromN("7")))));
        broken.put("headers-not-m", Map.of("headers", AttributeValue.fromS("X-Api-Key: " + API_KEY)));
        broken.put("previous-not-l", Map.of("previousSecrets", AttributeValue.fromS(OLD_SECRET)));
        broken.put("previous-no-expiry", Map.of("previousSecrets", AttributeValue.fromL(List.of(
                AttributeValue.fromM(Map.of("secret", AttributeValue.fromS(OLD_SECRET)))))));
        broken.put("previous-fraction", Map.of("previousSecrets", AttributeValue.fromL(List.of(previous(OLD_SECRET, "1796040000.5")))));
        broken.put("previous-bad-secret", Map.of("previousSecrets", AttributeValue.fromL(List.of(
                previous(OLD_SECRET, "1796040000"), previous("whsec_***" + OLD_SECRET, "1796040000")))));
        broken.forEach((id, extra) -> put(item(id, extra)));
        put(item("good", Map.of("headers", headers("X-Api-Key", API_KEY))));

        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            List<Subscription> subscriptions = read();

            // then
            assertEquals(List.of("good"), subscriptions.stream().map(Subscription::id).toList());
            Map<String, String> rules = Map.of(
                    "header-not-token", "a header name is not an HTTP token (RFC 9110 section 5.6.2)",
                    "header-contract", "header webhook-signature would override a header of the contract (Content-Type, "
                            + "Content-Length, Host, X-FreeScout-*, webhook-*)",
                    "header-content-type", "header content-type would override a header of the contract",
                    "header-crlf", "the value of header X-Api-Key holds CR or LF",
                    "header-not-s", "headers is not M of S",
                    "headers-not-m", "headers is not M of S",
                    "previous-not-l", "previousSecrets is not L of M {secret S, expiresAt N}",
                    "previous-no-expiry", "previousSecrets[0].expiresAt is not N",
                    "previous-fraction", "previousSecrets[0].expiresAt is not a whole number of epoch seconds",
                    "previous-bad-secret", "previousSecrets[1]: secret starts with whsec_ but the rest is not base64");
            List<String> warnings = logs.lines().stream().filter(line -> line.startsWith("WARN")).toList();
            rules.forEach((id, rule) -> assertTrue(warnings.stream().anyMatch(
                    line -> line.contains("Skipping subscription " + id + ": " + rule)),
                    "no WARN for " + id + " naming: " + rule + "\n" + String.join("\n", warnings)));
            String text = logs.text();
            assertFalse(text.contains(API_KEY), "a header value in the logs (not shown)");
            assertFalse(text.contains(OLD_SECRET.substring("whsec_".length())), "a secret in the logs (not shown)");
            assertFalse(subscriptions.toString().contains(API_KEY), "a header value in a subscription's text (not shown)");
        }
    }

    private List<Subscription> read() {
        return new DynamoDbSubscriptionRepository(dynamoDb, table, Duration.ZERO, Clock.systemUTC()).subscriptions();
    }

    private void put(Map<String, AttributeValue> item) {
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    private static AttributeValue previous(String secret, String expiresAt) {
        return AttributeValue.fromM(Map.of("secret", AttributeValue.fromS(secret), "expiresAt", AttributeValue.fromN(expiresAt)));
    }

    private static AttributeValue headers(String name, String value) {
        return AttributeValue.fromM(Map.of(name, AttributeValue.fromS(value)));
    }

    private static Map<String, AttributeValue> item(String id, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new HashMap<>(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS("https://hooks.example.com/" + id), "secret", AttributeValue.fromS(SECRET)));
        item.putAll(extra);
        return item;
    }
}
