package io.conversationwebhooks.subscription;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Subscriptions from the DynamoDB table of CONTRACT section 4, read with a paginated consistent
 * <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html">Scan</a> and reused by this
 * container for a configurable time (so a warm Lambda container reads the table at most once per TTL).
 *
 * <p>Item attributes: {@code id} S, {@code url} S, {@code events} SS or L of S, {@code mailboxes} NS or L of N,
 * {@code secret} S, {@code previousSecrets} L of M {{@code secret} S, {@code expiresAt} N epoch seconds},
 * {@code headers} M of S, {@code enabled} BOOL (absent = true). An item with a wrong type, or breaking a rule of
 * CONTRACT section 4, is left out with a WARN naming its id and the rule.
 */
public final class DynamoDbSubscriptionRepository implements SubscriptionRepository {

    private static final Logger LOG = Logger.getLogger(DynamoDbSubscriptionRepository.class);

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration ttl;
    private final Clock clock;
    private List<Subscription> cached;
    private Instant readAt;

    /**
     * @param dynamoDb the client (quarkus-amazon-dynamodb)
     * @param tableName the subscriptions table
     * @param ttl how long a read is reused; zero reads on every call
     * @param clock time source for the cache
     */
    public DynamoDbSubscriptionRepository(DynamoDbClient dynamoDb, String tableName, Duration ttl, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized List<Subscription> subscriptions() {
        Instant now = clock.instant();
        if (cached == null || !now.isBefore(readAt.plus(ttl))) {
            cached = read();
            readAt = now;
        }
        return cached;
    }

    private List<Subscription> read() {
        List<Subscription> subscriptions = new ArrayList<>();
        ScanRequest scan = ScanRequest.builder().tableName(tableName).consistentRead(true).build();
        for (Map<String, AttributeValue> item : dynamoDb.scanPaginator(scan).items()) {
            toSubscription(item).ifPresent(subscriptions::add);
        }
        LOG.debugf("Read %d subscriptions from %s", subscriptions.size(), tableName);
        return List.copyOf(subscriptions);
    }

    private static Optional<Subscription> toSubscription(Map<String, AttributeValue> item) {
        String id = string(item.get("id"));
        if (id == null || id.isBlank()) {
            LOG.warn("Skipping a subscription without id");
            return Optional.empty();
        }
        try {
            return Optional.of(fromItem(item));
        } catch (IllegalArgumentException e) {
            LOG.warnf("Skipping subscription %s: %s", id, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Reads one item of the subscriptions table as the functions do (attribute types in the class comment, rules by
     * {@link SubscriptionFactory#build}).
     *
     * @param item the item, as GetItem or Scan returns it
     * @return the subscription
     * @throws IllegalArgumentException naming the attribute or rule that is wrong (never a secret or a header value)
     */
    public static Subscription fromItem(Map<String, AttributeValue> item) {
        AttributeValue enabled = item.get("enabled");
        if (enabled != null && enabled.bool() == null) {
            throw new IllegalArgumentException("enabled is not BOOL");
        }
        return SubscriptionFactory.build(string(item.get("id")), string(item.get("url")),
                strings(item.get("events"), "events"), numbers(item.get("mailboxes"), "mailboxes"),
                string(item.get("secret")), previousSecrets(item.get("previousSecrets")), headers(item.get("headers")),
                enabled == null || enabled.bool());
    }

    /** {@code previousSecrets}: L of M {secret S, expiresAt N}; absent or NULL is none. */
    private static List<SubscriptionFactory.StoredPreviousSecret> previousSecrets(AttributeValue value) {
        if (value == null || Boolean.TRUE.equals(value.nul())) {
            return List.of();
        }
        if (!value.hasL()) {
            throw new IllegalArgumentException("previousSecrets is not L of M {secret S, expiresAt N}");
        }
        List<SubscriptionFactory.StoredPreviousSecret> secrets = new ArrayList<>();
        for (int i = 0; i < value.l().size(); i++) {
            AttributeValue element = value.l().get(i);
            String where = "previousSecrets[" + i + "]";
            if (!element.hasM()) {
                throw new IllegalArgumentException(where + " is not M {secret S, expiresAt N}");
            }
            AttributeValue secret = element.m().get("secret");
            if (secret == null || secret.s() == null) {
                throw new IllegalArgumentException(where + ".secret is not S");
            }
            AttributeValue expiresAt = element.m().get("expiresAt");
            if (expiresAt == null || expiresAt.n() == null) {
                throw new IllegalArgumentException(where + ".expiresAt is not N");
            }
            long seconds;
            try {
                seconds = new BigDecimal(expiresAt.n()).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(where + ".expiresAt is not a whole number of epoch seconds");
            }
            secrets.add(new SubscriptionFactory.StoredPreviousSecret(secret.s(), seconds));
        }
        return secrets;
    }

    /** {@code headers}: M of S, in the item's order; absent or NULL is none. */
    private static Map<String, String> headers(AttributeValue value) {
        if (value == null || Boolean.TRUE.equals(value.nul())) {
            return Map.of();
        }
        if (!value.hasM()) {
            throw new IllegalArgumentException("headers is not M of S");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, AttributeValue> header : value.m().entrySet()) {
            if (header.getValue().s() == null) {
                throw new IllegalArgumentException("headers is not M of S");
            }
            headers.put(header.getKey(), header.getValue().s());
        }
        return headers;
    }

    private static String string(AttributeValue value) {
        return value == null ? null : value.s();
    }

    private static List<String> strings(AttributeValue value, String name) {
        return elements(value, name, value != null && value.hasSs() ? value.ss() : null, AttributeValue::s, "SS or L of S");
    }

    private static List<String> numbers(AttributeValue value, String name) {
        return elements(value, name, value != null && value.hasNs() ? value.ns() : null, AttributeValue::n, "NS or L of N");
    }

    /** A set, or a list whose elements all have the expected scalar type; absent or NULL is empty. */
    private static List<String> elements(AttributeValue value, String name, List<String> set,
            Function<AttributeValue, String> scalar, String expected) {
        if (value == null || Boolean.TRUE.equals(value.nul())) {
            return List.of();
        }
        if (set != null) {
            return set;
        }
        if (!value.hasL()) {
            throw new IllegalArgumentException(name + " is not " + expected);
        }
        return value.l().stream().map(element -> {
            String text = scalar.apply(element);
            if (text == null) {
                throw new IllegalArgumentException(name + " is not " + expected);
            }
            return text;
        }).toList();
    }
}
