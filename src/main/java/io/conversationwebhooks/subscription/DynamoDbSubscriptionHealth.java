package io.conversationwebhooks.subscription;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * {@link SubscriptionHealth} on the items of the subscriptions table (CONTRACT section 4), with
 * <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html">UpdateItem</a>s that
 * never create an item ({@code attribute_exists(id)}):
 * <ul>
 * <li>disable: {@code enabled=false}, {@code disabledReason} (S), {@code disabledAt} (S, ISO-8601);</li>
 * <li>failure: {@code firstFailureAt} (set when absent) and {@code lastFailureAt} (S, ISO-8601);</li>
 * <li>success: {@code lastSuccessAt} (S, ISO-8601) and {@code firstFailureAt} removed.</li>
 * </ul>
 * A subscription is disabled by a failure when {@code firstFailureAt} and {@code lastSuccessAt} (if any) are both at
 * least the configured period ago. Failures from before {@code disabledAt} do not count: the first failure of a
 * subscription enabled again by hand starts a new period.
 *
 * <p>Successes are frequent, so a container writes one at most every {@code min(1 hour, period / 10)} per
 * subscription, except the first success after a failure it saw itself, which is written at once.
 */
public final class DynamoDbSubscriptionHealth implements SubscriptionHealth {

    private static final Logger LOG = Logger.getLogger(DynamoDbSubscriptionHealth.class);

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration disableAfter;
    private final Duration successWriteInterval;
    private final Clock clock;
    private final Map<String, Instant> successWritten = new ConcurrentHashMap<>();
    private final Set<String> failingHere = ConcurrentHashMap.newKeySet();

    /**
     * @param dynamoDb the client
     * @param tableName the subscriptions table
     * @param disableAfter how long a subscription may fail without success before it is disabled
     * @param clock time source
     */
    public DynamoDbSubscriptionHealth(DynamoDbClient dynamoDb, String tableName, Duration disableAfter, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.disableAfter = disableAfter;
        Duration tenth = disableAfter.dividedBy(10);
        this.successWriteInterval = tenth.compareTo(Duration.ofHours(1)) < 0 ? tenth : Duration.ofHours(1);
        this.clock = clock;
    }

    @Override
    public boolean disable(String subscriptionId, String reason) {
        try {
            dynamoDb.updateItem(b -> b.tableName(tableName).key(key(subscriptionId))
                    .updateExpression("SET #enabled = :false, disabledReason = :reason, disabledAt = :now")
                    .conditionExpression("attribute_exists(id) AND (attribute_not_exists(#enabled) OR #enabled = :true)")
                    .expressionAttributeNames(Map.of("#enabled", "enabled"))
                    .expressionAttributeValues(Map.of(":false", AttributeValue.fromBool(false),
                            ":true", AttributeValue.fromBool(true), ":reason", AttributeValue.fromS(reason),
                            ":now", AttributeValue.fromS(clock.instant().toString()))));
            LOG.warnf("Subscription %s disabled: %s", subscriptionId, reason);
            return true;
        } catch (ConditionalCheckFailedException alreadyDisabledOrGone) {
            LOG.debugf("Subscription %s was already disabled or no longer exists", subscriptionId);
        } catch (SdkException e) {
            LOG.errorf("Cannot disable subscription %s (%s): %s", subscriptionId, reason, e.getMessage());
        }
        return false;
    }

    @Override
    public Optional<Instant> succeeded(String subscriptionId) {
        Instant now = clock.instant();
        Instant written = successWritten.get(subscriptionId);
        if (!failingHere.contains(subscriptionId) && written != null && now.isBefore(written.plus(successWriteInterval))) {
            return Optional.empty();
        }
        try {
            UpdateItemResponse response = dynamoDb.updateItem(b -> b.tableName(tableName).key(key(subscriptionId))
                    .updateExpression("SET lastSuccessAt = :now REMOVE firstFailureAt")
                    .conditionExpression("attribute_exists(id)")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromS(now.toString())))
                    .returnValues(ReturnValue.UPDATED_OLD));
            successWritten.put(subscriptionId, now);
            failingHere.remove(subscriptionId);
            // the failure period this success ends, if one was open: a recovery
            return Optional.ofNullable(instant(response.attributes().get("firstFailureAt")));
        } catch (ConditionalCheckFailedException gone) {
            successWritten.put(subscriptionId, now);
        } catch (SdkException e) {
            LOG.errorf("Cannot record a success of subscription %s: %s", subscriptionId, e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public Failure failed(String subscriptionId) {
        failingHere.add(subscriptionId);
        Instant now = clock.instant();
        UpdateItemResponse response;
        try {
            response = dynamoDb.updateItem(b -> b.tableName(tableName).key(key(subscriptionId))
                    .updateExpression("SET firstFailureAt = if_not_exists(firstFailureAt, :now), lastFailureAt = :now")
                    .conditionExpression("attribute_exists(id)")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromS(now.toString())))
                    .returnValues(ReturnValue.ALL_NEW));
        } catch (ConditionalCheckFailedException gone) {
            return Failure.ENABLED;
        } catch (SdkException e) {
            LOG.errorf("Cannot record a failure of subscription %s: %s", subscriptionId, e.getMessage());
            return Failure.ENABLED;
        }
        Map<String, AttributeValue> item = response.attributes();
        Instant firstFailure = instant(item.get("firstFailureAt"));
        AttributeValue enabled = item.get("enabled");
        if (enabled != null && Boolean.FALSE.equals(enabled.bool())) {
            return new Failure(true, null, firstFailure);
        }
        Instant disabledAt = instant(item.get("disabledAt"));
        if (firstFailure != null && disabledAt != null && firstFailure.isBefore(disabledAt)) {
            // re-enabled by hand since: the failures before it was disabled no longer count
            restartFailures(subscriptionId, firstFailure, now);
            return new Failure(false, null, now);
        }
        Instant lastSuccess = instant(item.get("lastSuccessAt"));
        boolean failingLongEnough = firstFailure != null && !now.isBefore(firstFailure.plus(disableAfter));
        boolean noRecentSuccess = lastSuccess == null || !now.isBefore(lastSuccess.plus(disableAfter));
        if (failingLongEnough && noRecentSuccess) {
            String reason = "failing without success since " + firstFailure;
            // another invocation may have disabled it meanwhile: then it is disabled, but not by this failure
            return new Failure(true, disable(subscriptionId, reason) ? reason : null, firstFailure);
        }
        return new Failure(false, null, firstFailure);
    }

    private void restartFailures(String subscriptionId, Instant stale, Instant now) {
        try {
            dynamoDb.updateItem(b -> b.tableName(tableName).key(key(subscriptionId))
                    .updateExpression("SET firstFailureAt = :now")
                    .conditionExpression("firstFailureAt = :stale")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromS(now.toString()),
                            ":stale", AttributeValue.fromS(stale.toString()))));
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            LOG.debugf("Failure period of subscription %s changed meanwhile", subscriptionId);
        } catch (SdkException e) {
            LOG.errorf("Cannot restart the failure period of subscription %s: %s", subscriptionId, e.getMessage());
        }
    }

    private static Map<String, AttributeValue> key(String subscriptionId) {
        return Map.of("id", AttributeValue.fromS(subscriptionId));
    }

    private static Instant instant(AttributeValue value) {
        if (value == null || value.s() == null) {
            return null;
        }
        try {
            return Instant.parse(value.s());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
