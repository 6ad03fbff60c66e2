package io.conversationwebhooks.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.MutableClock;
import io.conversationwebhooks.testing.TemplateTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Failure tracking and disabling on a real subscriptions table (created from template.yaml), with a clock moved by hand. */
class DynamoDbSubscriptionHealthTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;
    private static String table;

    private MutableClock clock;
    private DynamoDbSubscriptionHealth health;
    private String id;

    @BeforeAll
    static void startEmulator() {
        emulator = DynamoDbEmulator.start();
        dynamoDb = emulator.dynamoDb();
        table = "subscriptions-" + UUID.randomUUID().toString().substring(0, 8);
        TemplateTables.create(dynamoDb, "SubscriptionsTable", table);
    }

    @AfterAll
    static void stopEmulator() {
        dynamoDb.close();
        emulator.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(T0);
        health = new DynamoDbSubscriptionHealth(dynamoDb, table, Duration.ofDays(5), clock);
        id = "crm-" + UUID.randomUUID();
        dynamoDb.putItem(b -> b.tableName(table).item(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS("https://crm.example.com/hooks"), "secret", AttributeValue.fromS("s3cret"))));
    }

    @Test
    void should_disable_when_failing_without_success_for_the_whole_period() {
        assertFalse(health.failed(id).disabled());
        assertEquals(T0.toString(), item().get("firstFailureAt").s());

        clock.advance(Duration.ofDays(4).plusHours(23));
        assertFalse(health.failed(id).disabled(), "not yet 5 days");
        assertNull(item().get("enabled"));

        clock.advance(Duration.ofHours(1));
        assertTrue(health.failed(id).disabled());
        Map<String, AttributeValue> item = item();
        assertEquals(Boolean.FALSE, item.get("enabled").bool());
        assertEquals("failing without success since " + T0, item.get("disabledReason").s());
        assertEquals(clock.instant().toString(), item.get("disabledAt").s());
        assertEquals("s3cret", item.get("secret").s(), "the rest of the item is left as it was");
    }

    @Test
    void should_restart_the_period_after_a_success() {
        Instant firstFailure = clock.instant();
        health.failed(id);
        clock.advance(Duration.ofDays(3));
        assertEquals(java.util.Optional.of(firstFailure), health.succeeded(id), "a recovery, failing since then");
        assertNull(item().get("firstFailureAt"));
        assertEquals(clock.instant().toString(), item().get("lastSuccessAt").s());

        clock.advance(Duration.ofDays(1));
        Instant secondFailure = clock.instant();
        assertFalse(health.failed(id).disabled());
        clock.advance(Duration.ofDays(4));
        assertFalse(health.failed(id).disabled(), "4 days since the failures started again");
        clock.advance(Duration.ofDays(1));
        SubscriptionHealth.Failure failure = health.failed(id);
        assertTrue(failure.disabled());
        assertEquals("failing without success since " + secondFailure, failure.disabledReason(), "disabled by this one");
        assertEquals(secondFailure, failure.failingSince());
        assertEquals("failing without success since " + secondFailure, item().get("disabledReason").s());
        clock.advance(Duration.ofHours(1));
        SubscriptionHealth.Failure later = health.failed(id);
        assertTrue(later.disabled());
        assertFalse(later.disabledNow(), "disabled already, not by this one");
    }

    @Test
    void should_start_a_new_period_when_a_disabled_subscription_is_enabled_again_and_fails() {
        // given: disabled after failing for 5 days, then enabled again by hand
        health.failed(id);
        clock.advance(Duration.ofDays(5));
        assertTrue(health.failed(id).disabled());
        clock.advance(Duration.ofHours(2));
        dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS(id)))
                .updateExpression("SET enabled = :true").expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true))));

        // when
        Instant again = clock.instant();
        boolean disabled = health.failed(id).disabled();

        // then: not disabled at once; the period starts over
        assertFalse(disabled);
        assertEquals(Boolean.TRUE, item().get("enabled").bool());
        assertEquals(again.toString(), item().get("firstFailureAt").s());
        clock.advance(Duration.ofDays(4));
        assertFalse(health.failed(id).disabled());
        clock.advance(Duration.ofDays(1));
        assertTrue(health.failed(id).disabled());
        assertEquals("failing without success since " + again, item().get("disabledReason").s());
    }

    @Test
    void should_write_successes_at_most_hourly_unless_one_follows_a_failure() {
        assertEquals(java.util.Optional.empty(), health.succeeded(id), "no failure period: no recovery");
        clock.advance(Duration.ofMinutes(10));
        health.succeeded(id);
        assertEquals(T0.toString(), item().get("lastSuccessAt").s(), "throttled");

        clock.advance(Duration.ofMinutes(1));
        health.failed(id);
        health.succeeded(id);
        assertEquals(clock.instant().toString(), item().get("lastSuccessAt").s(), "written at once after a failure");
        assertNull(item().get("firstFailureAt"));

        clock.advance(Duration.ofMinutes(61));
        health.succeeded(id);
        assertEquals(clock.instant().toString(), item().get("lastSuccessAt").s());
    }

    @Test
    void should_report_an_already_disabled_subscription_as_disabled() {
        assertTrue(health.disable(id, "HTTP 410 Gone"), "disabled by this call");
        clock.advance(Duration.ofMinutes(1));
        assertFalse(health.disable(id, "something else"), "disabled already");

        assertTrue(health.failed(id).disabled());
        assertEquals("HTTP 410 Gone", item().get("disabledReason").s(), "the first reason stays");
        assertEquals(T0.toString(), item().get("disabledAt").s());
    }

    @Test
    void should_never_create_an_item_for_an_unknown_subscription() {
        assertFalse(health.failed("nobody").disabled());
        health.succeeded("nobody");
        health.disable("nobody", "HTTP 410 Gone");

        assertTrue(dynamoDb.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS("nobody")))).item()
                .isEmpty());
    }

    private Map<String, AttributeValue> item() {
        return dynamoDb.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true))
                .item();
    }
}
