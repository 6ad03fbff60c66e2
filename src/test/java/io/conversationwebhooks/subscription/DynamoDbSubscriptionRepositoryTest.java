package io.conversationwebhooks.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.TemplateTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The subscriptions table of CONTRACT section 4, read from a real DynamoDB API. */
class DynamoDbSubscriptionRepositoryTest {

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;

    private String table;
    private MutableClock clock;

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
        clock = new MutableClock(Instant.parse("2026-11-30T00:00:00Z"));
    }

    @Test
    void reads_every_attribute_form_of_the_contract() {
        // given
        put(item("sets", Map.of("events", AttributeValue.fromSs(List.of("convo.status", "convo.assigned")),
                "mailboxes", AttributeValue.fromNs(List.of("2", "3")))));
        put(item("lists", Map.of("events", AttributeValue.fromL(List.of(AttributeValue.fromS("convo.moved"))),
                "mailboxes", AttributeValue.fromL(List.of(AttributeValue.fromN("7"))), "enabled", AttributeValue.fromBool(false))));
        put(item("defaults", Map.of()));

        // when
        Map<String, Subscription> byId = byId(repository(Duration.ZERO).subscriptions());

        // then
        Subscription sets = byId.get("sets");
        assertEquals(Set.of("convo.status", "convo.assigned"), sets.events());
        assertEquals(Set.of("2", "3"), sets.mailboxes());
        assertTrue(sets.enabled());
        assertTrue(sets.accepts(ConversationEvent.STATUS, Set.of("3")));
        assertFalse(sets.accepts(ConversationEvent.STATUS, Set.of("1")));
        assertFalse(sets.accepts(ConversationEvent.MOVED, Set.of("2")));

        Subscription lists = byId.get("lists");
        assertEquals(Set.of("convo.moved"), lists.events());
        assertEquals(Set.of("7"), lists.mailboxes());
        assertFalse(lists.enabled());
        assertFalse(lists.accepts(ConversationEvent.MOVED, Set.of("7")), "disabled receives nothing");

        Subscription defaults = byId.get("defaults");
        assertEquals(Set.of(), defaults.events());
        assertTrue(defaults.enabled(), "enabled absent = true");
        for (ConversationEvent event : ConversationEvent.values()) {
            assertTrue(defaults.accepts(event, Set.of("42")), event + " for any mailbox");
        }
    }

    @Test
    void leaves_out_items_it_cannot_use_and_keeps_the_rest() {
        put(item("good", Map.of()));
        Map<String, AttributeValue> noUrl = item("no-url", Map.of());
        noUrl.remove("url");
        put(noUrl);
        Map<String, AttributeValue> noSecret = item("no-secret", Map.of());
        noSecret.remove("secret");
        put(noSecret);
        put(item("bad-secret", Map.of("secret", AttributeValue.fromS("whsec_***not base64***"))));
        put(item("bad-enabled", Map.of("enabled", AttributeValue.fromS("yes"))));
        put(item("bad-events", Map.of("events", AttributeValue.fromN("1"))));
        put(item("bad-mailboxes", Map.of("mailboxes", AttributeValue.fromSs(List.of("one")))));

        List<Subscription> subscriptions = repository(Duration.ZERO).subscriptions();

        assertEquals(List.of("good"), subscriptions.stream().map(Subscription::id).toList());
    }

    @Test
    void reuses_a_read_until_the_cache_time_has_passed() {
        put(item("first", Map.of()));
        DynamoDbSubscriptionRepository repository = repository(Duration.ofSeconds(60));
        List<Subscription> firstRead = repository.subscriptions();

        put(item("second", Map.of()));
        clock.advance(Duration.ofSeconds(59));
        assertSame(firstRead, repository.subscriptions(), "within the TTL the table is not read again");

        clock.advance(Duration.ofSeconds(1));
        assertEquals(Set.of("first", "second"), byId(repository.subscriptions()).keySet());
    }

    @Test
    void reads_every_page_of_a_large_table() {
        String secret = "s".repeat(4000);
        for (int i = 0; i < 400; i++) {
            put(item("sub-" + i, Map.of("secret", AttributeValue.fromS(secret))));
        }

        assertEquals(400, repository(Duration.ZERO).subscriptions().size(), "400 items of ~4 KB span several 1 MB pages");
    }

    @Test
    void its_string_form_never_shows_the_secret() {
        put(item("shown", Map.of("secret", AttributeValue.fromS("whsec_c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw=="))));

        String text = repository(Duration.ZERO).subscriptions().toString();

        assertTrue(text.contains("shown"), text);
        assertFalse(text.contains("c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw"), text);
    }

    private DynamoDbSubscriptionRepository repository(Duration ttl) {
        return new DynamoDbSubscriptionRepository(dynamoDb, table, ttl, clock);
    }

    private void put(Map<String, AttributeValue> item) {
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    private static Map<String, AttributeValue> item(String id, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new HashMap<>(Map.of("id", AttributeValue.fromS(id),
                "url", AttributeValue.fromS("https://hooks.example.com/" + id),
                "secret", AttributeValue.fromS("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
        item.putAll(extra);
        return item;
    }

    private static Map<String, Subscription> byId(List<Subscription> subscriptions) {
        Map<String, Subscription> byId = new HashMap<>();
        subscriptions.forEach(subscription -> byId.put(subscription.id(), subscription));
        return byId;
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
