package io.conversationwebhooks.ledger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.conversationwebhooks.change.ConversationEvent;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;

/**
 * The delivery ledger table ({@code WEBHOOKS_DELIVERIES_TABLE}, template.yaml {@code DeliveriesTable}): one item per
 * (webhook-id, subscription) with what became of that delivery, and one pair item per (conversation, subscriber) that
 * has parked deliveries not finished yet.
 *
 * <p>Delivery item: {@code webhookId} (S, partition key), {@code subscriptionId} (S, sort key), {@code outcome} (S:
 * {@code delivered|parked|dead-lettered|skipped}), {@code attempts} (N), {@code lastStatus} (N), {@code lastError}
 * (S), {@code latencyMillis} (N), {@code createdAt}, {@code updatedAt} (S, ISO-8601), {@code expiresAt} (N, epoch
 * seconds, the table's TTL attribute), {@code conversationKey}, {@code sequenceNumber}, {@code event} (S); while
 * parked {@code nextAttemptAt} (S, ISO-8601) and {@code retryStep} (N); when dead-lettered {@code body} (B, the exact
 * bytes sent) and the keys of the sparse {@code DeadLetters} index, {@code deadLetterSubscriptionId} (S) and
 * {@code deadLetterOrder} (S: the sequence number left-padded to 40 digits, {@code #}, the event's
 * {@link ConversationEvent#position() position} in CONTRACT section 5), by which replay finds a subscription's
 * dead letters in stream order.
 *
 * <p>Pair item: {@code webhookId} = {@code pair#<conversation key>}, {@code subscriptionId}, {@code parked} (SS of
 * webhook-ids), {@code updatedAt}, {@code expiresAt}. Parkers add to the set and the retry function removes from it
 * (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html">ADD
 * and DELETE update actions</a>): both are atomic and idempotent, so a retried call cannot miscount.
 *
 * <p>Every write of a delivery is conditional: the first outcome is put only when no item exists, and only a parked
 * delivery can be finished, so a concurrent or redriven invocation cannot record a second delivery. Reads are
 * strongly consistent, except the {@code DeadLetters} index (global secondary indexes are eventually consistent).
 * Secrets and signatures are never written. All methods are blocking and throw the SDK's exceptions.
 */
public final class DeliveryLedger {

    /** Name of the sparse global secondary index of dead-lettered deliveries. */
    public static final String DEAD_LETTERS_INDEX = "DeadLetters";

    private static final int BATCH_GET_LIMIT = 100;
    private static final int UNPROCESSED_ROUNDS = 6;
    /** Most actions in one TransactWriteItems. */
    private static final int TRANSACTION_LIMIT = 100;
    /** Transactions tried for one chunk before its outcomes are written one by one. */
    private static final int TRANSACTION_ROUNDS = 3;
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    private static final String NO_REASON = "None";

    /**
     * What {@link #read} and {@link #get} fetch: every attribute a {@link LedgerEntry} holds except {@code body}, which
     * only replay needs ({@link #deadLetters}) and which can be most of an item's 400 KB. Each name goes through a
     * placeholder, so reserved words never matter.
     */
    private static final List<String> ENTRY_ATTRIBUTES = List.of("webhookId", "subscriptionId", "outcome", "event",
            "conversationKey", "sequenceNumber", "attempts", "lastStatus", "lastError", "latencyMillis", "nextAttemptAt",
            "retryStep", "parked");
    private static final String ENTRY_PROJECTION = String.join(", ",
            ENTRY_ATTRIBUTES.stream().map(attribute -> "#" + attribute).toList());
    private static final Map<String, String> ENTRY_PROJECTION_NAMES = ENTRY_ATTRIBUTES.stream()
            .collect(Collectors.toUnmodifiableMap(attribute -> "#" + attribute, attribute -> attribute));

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration retention;
    private final Duration deadLetterRetention;
    private final Clock clock;

    /**
     * @param dynamoDb the client
     * @param tableName the ledger table
     * @param retention how long an item is kept after its last write
     * @param deadLetterRetention how long a dead-lettered delivery is kept after it was dead-lettered
     * @param clock time source of {@code createdAt}, {@code updatedAt} and {@code expiresAt}
     */
    public DeliveryLedger(DynamoDbClient dynamoDb, String tableName, Duration retention, Duration deadLetterRetention,
            Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.retention = retention;
        this.deadLetterRetention = deadLetterRetention;
        this.clock = clock;
    }

    /** The table name. */
    public String tableName() {
        return tableName;
    }

    /**
     * Reads items with strongly consistent
     * <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html">BatchGetItem</a>s
     * of at most 100 keys, retrying unprocessed keys. The hot path of every delivery: a dead letter's body is not
     * fetched (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html">projection
     * expression</a>), which saves its transfer and keeps 100 dead letters within BatchGetItem's 16 MB answer; read
     * capacity is charged for the whole item all the same.
     *
     * @return the items found, by key, with {@link LedgerEntry#body()} null; keys without an item are absent
     * @throws IllegalStateException when keys stay unprocessed after several rounds
     */
    public Map<LedgerKey, LedgerEntry> read(Collection<LedgerKey> keys) {
        List<LedgerKey> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
        Map<LedgerKey, LedgerEntry> found = new HashMap<>();
        for (int from = 0; from < distinct.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> chunk = distinct.subList(from, Math.min(distinct.size(), from + BATCH_GET_LIMIT))
                    .stream().map(DeliveryLedger::key).toList();
            Map<String, KeysAndAttributes> request = Map.of(tableName,
                    KeysAndAttributes.builder().keys(chunk).consistentRead(true).projectionExpression(ENTRY_PROJECTION)
                            .expressionAttributeNames(ENTRY_PROJECTION_NAMES).build());
            for (int round = 0; !request.isEmpty(); round++) {
                if (round == UNPROCESSED_ROUNDS) {
                    throw new IllegalStateException("ledger keys stayed unprocessed after " + round + " BatchGetItem rounds");
                }
                if (round > 0) {
                    pause(25L << round);
                }
                Map<String, KeysAndAttributes> next = request;
                BatchGetItemResponse response = dynamoDb.batchGetItem(b -> b.requestItems(next));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(tableName, List.of())) {
                    LedgerEntry entry = entry(item);
                    found.put(entry.key(), entry);
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return found;
    }

    /** Reads one item, strongly consistent, like {@link #read}: {@link LedgerEntry#body()} is null. */
    public Optional<LedgerEntry> get(LedgerKey key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(tableName).key(key(key)).consistentRead(true)
                .projectionExpression(ENTRY_PROJECTION).expressionAttributeNames(ENTRY_PROJECTION_NAMES)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(entry(item));
    }

    /**
     * Records the first outcome of a delivery, {@link LedgerOutcome#DELIVERED} or {@link LedgerOutcome#SKIPPED}, unless
     * one is recorded already.
     *
     * @return false when the ledger already had an item for the delivery (it is left as it was)
     */
    public boolean recordFirst(LedgerDelivery delivery, LedgerOutcome outcome, Progress progress) {
        return putIfAbsent(delivery, outcome, progress, null, 0);
    }

    /**
     * One first outcome for {@link #recordAllFirst}.
     *
     * @param delivery the delivery
     * @param outcome {@link LedgerOutcome#DELIVERED} or {@link LedgerOutcome#SKIPPED}
     * @param progress its attempts and their last result
     */
    public record FirstOutcome(LedgerDelivery delivery, LedgerOutcome outcome, Progress progress) {
    }

    /**
     * Thrown by {@link #recordAllFirst} when some outcomes could not be written; all the others were tried and are
     * recorded (or existed already).
     */
    public static final class NotRecordedException extends RuntimeException {

        private final Set<LedgerKey> notRecorded;
        private final Set<LedgerKey> existing;

        NotRecordedException(Set<LedgerKey> notRecorded, Set<LedgerKey> existing, RuntimeException cause) {
            super(notRecorded.size() + " first outcome(s) not recorded: " + cause.getMessage(), cause);
            this.notRecorded = Set.copyOf(notRecorded);
            this.existing = Set.copyOf(existing);
        }

        /** The deliveries whose outcome is not in the ledger. */
        public Set<LedgerKey> notRecorded() {
            return notRecorded;
        }

        /** The deliveries the ledger had an item for already (left as they were). */
        public Set<LedgerKey> existing() {
            return existing;
        }
    }

    /**
     * Records the first outcomes of several deliveries (of one record or of several) in as few requests as DynamoDB
     * allows, each with the same condition as {@link #recordFirst}: one conditional PutItem for a single outcome,
     * otherwise one <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html">TransactWriteItems</a>
     * of at most 100 conditional Puts (billed 2 write units per item instead of 1) with a client request token, so
     * that the SDK's own retry of a request that succeeded is answered as a success. A transaction is all or nothing:
     * when it is cancelled because some items exist already (another invocation recorded them), those are left as they
     * are and the others are written by a second transaction; for any other cancellation (a conflicting transaction,
     * throttling) the outcomes are written one by one with {@link #recordFirst}.
     *
     * @param all deliveries, each with a first outcome; of a delivery named more than once, the first outcome is
     *        written and the delivery counts as existing
     * @return the deliveries the ledger had an item for already (left as they were); empty when all were written
     * @throws NotRecordedException when some outcomes could not be written (DynamoDB unreachable or refusing a
     *         request, cause: the first such SDK exception); every other outcome was still tried
     */
    public Set<LedgerKey> recordAllFirst(List<FirstOutcome> all) {
        // one transaction cannot name an item twice (ValidationException): a key's first outcome is written, and its
        // later ones are left to it as if another invocation had written it
        Map<LedgerKey, FirstOutcome> byKey = new LinkedHashMap<>();
        Set<LedgerKey> repeated = new HashSet<>();
        for (FirstOutcome first : all) {
            if (byKey.putIfAbsent(first.delivery().key(), first) != null) {
                repeated.add(first.delivery().key());
            }
        }
        List<FirstOutcome> outcomes = List.copyOf(byKey.values());
        Set<LedgerKey> existing = new HashSet<>(repeated);
        Set<LedgerKey> notRecorded = new LinkedHashSet<>();
        RuntimeException failure = null;
        for (int from = 0; from < outcomes.size(); from += TRANSACTION_LIMIT) {
            List<FirstOutcome> pending = outcomes.subList(from, Math.min(outcomes.size(), from + TRANSACTION_LIMIT));
            try {
                for (int round = 0; round < TRANSACTION_ROUNDS && pending.size() > 1; round++) {
                    List<FirstOutcome> left = transact(pending, existing);
                    if (left.size() == pending.size()) {
                        break;
                    }
                    pending = left;
                }
            } catch (RuntimeException e) {
                // the transaction may or may not have been written: its outcomes are reported, the next chunk goes on
                pending.forEach(first -> notRecorded.add(first.delivery().key()));
                failure = failure == null ? e : failure;
                continue;
            }
            for (FirstOutcome first : pending) {
                try {
                    if (!recordFirst(first.delivery(), first.outcome(), first.progress())) {
                        existing.add(first.delivery().key());
                    }
                } catch (RuntimeException e) {
                    notRecorded.add(first.delivery().key());
                    failure = failure == null ? e : failure;
                }
            }
        }
        existing.removeAll(notRecorded);
        if (failure != null) {
            throw new NotRecordedException(notRecorded, existing, failure);
        }
        return existing;
    }

    /**
     * One TransactWriteItems of conditional Puts.
     *
     * @param existing where the keys the transaction found existing are added
     * @return nothing when it was written; the outcomes still to write when it was cancelled only because some items
     *         exist; all of them for any other cancellation or a conflicting transaction
     */
    private List<FirstOutcome> transact(List<FirstOutcome> outcomes, Set<LedgerKey> existing) {
        Instant now = clock.instant();
        List<TransactWriteItem> puts = outcomes.stream().map(first -> TransactWriteItem.builder()
                .put(put -> put.tableName(tableName)
                        .item(firstItem(first.delivery(), first.outcome(), first.progress(), null, 0, now))
                        .conditionExpression("attribute_not_exists(#webhookId)")
                        .expressionAttributeNames(Map.of("#webhookId", "webhookId")))
                .build()).toList();
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(puts).clientRequestToken(UUID.randomUUID().toString()));
            return List.of();
        } catch (TransactionCanceledException cancelled) {
            List<CancellationReason> reasons = cancelled.hasCancellationReasons() ? cancelled.cancellationReasons()
                    : List.of();
            if (reasons.size() != outcomes.size()) {
                return outcomes;
            }
            List<FirstOutcome> left = new ArrayList<>();
            Set<LedgerKey> found = new HashSet<>();
            for (int i = 0; i < reasons.size(); i++) {
                String code = reasons.get(i).code();
                if (CONDITION_FAILED.equals(code)) {
                    found.add(outcomes.get(i).delivery().key());
                } else if (code == null || NO_REASON.equals(code)) {
                    left.add(outcomes.get(i));
                } else {
                    return outcomes;
                }
            }
            existing.addAll(found);
            return left;
        } catch (TransactionConflictException | TransactionInProgressException conflict) {
            return outcomes;
        }
    }

    /**
     * Records a delivery as parked, unless the ledger has an item for it already.
     *
     * @param nextAttemptAt when the retry function may attempt it
     * @param retryStep index of the schedule delay to wait after its next failure
     * @return false when the ledger already had an item for the delivery
     */
    public boolean recordParked(LedgerDelivery delivery, Progress progress, Instant nextAttemptAt, int retryStep) {
        return putIfAbsent(delivery, LedgerOutcome.PARKED, progress, nextAttemptAt, retryStep);
    }

    /**
     * Finishes a parked delivery (or one the ledger has no item for): delivered, skipped or dead-lettered.
     *
     * @param body for {@link LedgerOutcome#DEAD_LETTERED}: the exact body, kept for replay; ignored otherwise
     * @return false when the delivery was finished already (by another invocation); nothing is changed then
     */
    public boolean finish(LedgerDelivery delivery, LedgerOutcome outcome, Progress progress, byte[] body) {
        if (!outcome.isFinal()) {
            throw new IllegalArgumentException("finish needs a final outcome, not " + outcome.value());
        }
        Instant now = clock.instant();
        boolean deadLettered = outcome == LedgerOutcome.DEAD_LETTERED;
        Update update = describe(delivery, outcome, progress, now, deadLettered ? deadLetterRetention : retention)
                .remove("nextAttemptAt").remove("retryStep");
        if (deadLettered) {
            update.set("body", AttributeValue.fromB(SdkBytes.fromByteArray(body)))
                    .set("deadLetterSubscriptionId", AttributeValue.fromS(delivery.subscriptionId()))
                    .set("deadLetterOrder", AttributeValue.fromS(deadLetterOrder(delivery)));
        }
        return updateIfParked(delivery.key(), update);
    }

    /**
     * Records a failed attempt of a parked delivery and when to attempt it next.
     *
     * @return false when the delivery was finished already (by another invocation)
     */
    public boolean reschedule(LedgerDelivery delivery, Progress progress, Instant nextAttemptAt, int retryStep) {
        Instant now = clock.instant();
        Update update = describe(delivery, LedgerOutcome.PARKED, progress, now, retention)
                .set("nextAttemptAt", AttributeValue.fromS(nextAttemptAt.toString()))
                .set("retryStep", AttributeValue.fromN(Integer.toString(retryStep)));
        return updateIfParked(delivery.key(), update);
    }

    /** Adds a parked delivery to its pair item (created when absent). */
    public void addParked(LedgerKey pair, String webhookId) {
        Instant now = clock.instant();
        dynamoDb.updateItem(b -> b.tableName(tableName).key(key(pair))
                .updateExpression("ADD #parked :id SET #updatedAt = :now, #expiresAt = :expires")
                .expressionAttributeNames(Map.of("#parked", "parked", "#updatedAt", "updatedAt", "#expiresAt", "expiresAt"))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(webhookId)),
                        ":now", AttributeValue.fromS(now.toString()), ":expires", expires(now, retention))));
    }

    /**
     * Removes a finished delivery from its pair item and keeps the item for {@code retention} from now (later deliveries
     * of the pair may still be parked behind); nothing happens when the item or the id is absent.
     */
    public void removeParked(LedgerKey pair, String webhookId) {
        Instant now = clock.instant();
        try {
            dynamoDb.updateItem(b -> b.tableName(tableName).key(key(pair))
                    .updateExpression("DELETE #parked :id SET #updatedAt = :now, #expiresAt = :expires")
                    .conditionExpression("attribute_exists(#webhookId)")
                    .expressionAttributeNames(Map.of("#parked", "parked", "#updatedAt", "updatedAt", "#webhookId", "webhookId",
                            "#expiresAt", "expiresAt"))
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(webhookId)),
                            ":now", AttributeValue.fromS(now.toString()), ":expires", expires(now, retention))));
        } catch (ConditionalCheckFailedException absent) {
            // no pair item: nothing is parked for the pair
        }
    }

    /**
     * Keeps a parked delivery's item and its pair item for {@code retention} from now ({@code expiresAt}). A parked
     * delivery may wait on the queue far longer than the retention, behind the earlier ones of its pair; the retry
     * function calls this at every turn of a delivery so that neither item expires while it waits (an expired pair
     * item would let a later delivery be sent directly, overtaking it). Items that do not exist, or a delivery that is
     * no longer parked, are left alone.
     */
    public void keepParked(LedgerDelivery delivery) {
        Instant now = clock.instant();
        keepAlive(delivery.key(), now, "#outcome = :parked");
        keepAlive(delivery.pairKey(), now, "attribute_exists(#webhookId)");
    }

    /** Keeps a pair item for {@code retention} from now; nothing happens when it does not exist. */
    public void keepPair(LedgerKey pair) {
        keepAlive(pair, clock.instant(), "attribute_exists(#webhookId)");
    }

    private void keepAlive(LedgerKey key, Instant now, String condition) {
        Map<String, String> names = new HashMap<>(Map.of("#expiresAt", "expiresAt"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":expires", expires(now, retention)));
        if (condition.contains("#outcome")) {
            names.put("#outcome", "outcome");
            values.put(":parked", AttributeValue.fromS(LedgerOutcome.PARKED.value()));
        } else {
            names.put("#webhookId", "webhookId");
        }
        try {
            dynamoDb.updateItem(b -> b.tableName(tableName).key(key(key)).updateExpression("SET #expiresAt = :expires")
                    .conditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException absentOrFinished) {
            // nothing to keep
        }
    }

    /**
     * The dead-lettered deliveries of a subscription in stream order (sequence number, then event order), from the
     * {@code DeadLetters} index (eventually consistent), each with its body.
     */
    public List<LedgerEntry> deadLetters(String subscriptionId) {
        QueryRequest query = QueryRequest.builder().tableName(tableName).indexName(DEAD_LETTERS_INDEX)
                .keyConditionExpression("#subscription = :subscription")
                .expressionAttributeNames(Map.of("#subscription", "deadLetterSubscriptionId"))
                .expressionAttributeValues(Map.of(":subscription", AttributeValue.fromS(subscriptionId)))
                .scanIndexForward(true).build();
        List<LedgerEntry> entries = new ArrayList<>();
        for (Map<String, AttributeValue> item : dynamoDb.queryPaginator(query).items()) {
            entries.add(entry(item));
        }
        return entries;
    }

    /**
     * Marks a dead-lettered delivery delivered after a replay; it leaves the {@code DeadLetters} index and its body is
     * dropped.
     *
     * @return false when it was no longer dead-lettered (replayed by someone else)
     */
    public boolean markReplayed(LedgerEntry entry, Progress progress) {
        Instant now = clock.instant();
        Update update = new Update()
                .set("outcome", AttributeValue.fromS(LedgerOutcome.DELIVERED.value()))
                .set("attempts", number(progress.attempts()))
                .set("lastStatus", number(progress.lastStatus()))
                .set("latencyMillis", number(progress.latencyMillis()))
                .set("updatedAt", AttributeValue.fromS(now.toString()))
                .set("replayedAt", AttributeValue.fromS(now.toString()))
                .set("expiresAt", expires(now, retention))
                .remove("lastError").remove("body").remove("deadLetterSubscriptionId").remove("deadLetterOrder");
        return updateIf(entry.key(), update, "#outcome = :expected", LedgerOutcome.DEAD_LETTERED);
    }

    /** Records a failed replay attempt of a dead-lettered delivery, which stays dead-lettered. */
    public void recordReplayFailure(LedgerEntry entry, Progress progress) {
        Instant now = clock.instant();
        Update update = new Update()
                .set("attempts", number(progress.attempts()))
                .set("lastStatus", number(progress.lastStatus()))
                .set("lastError", AttributeValue.fromS(progress.lastError() == null ? "replay failed" : progress.lastError()))
                .set("updatedAt", AttributeValue.fromS(now.toString()));
        updateIf(entry.key(), update, "#outcome = :expected", LedgerOutcome.DEAD_LETTERED);
    }

    /**
     * Sort key of the {@code DeadLetters} index: the sequence number left-padded with zeros to 40 digits (the longest
     * DynamoDB Streams sequence number), so that text order is numeric order, then {@code #} and the event's stored
     * {@link ConversationEvent#position()} ({@code 9} for a name that is no event), compared as text.
     */
    static String deadLetterOrder(LedgerDelivery delivery) {
        String digits = delivery.sequenceNumber();
        String padded = "0".repeat(Math.max(0, 40 - digits.length())) + digits;
        String position = ConversationEvent.byName(delivery.event()).map(ConversationEvent::position).orElse("9");
        return padded + "#" + position;
    }

    private boolean putIfAbsent(LedgerDelivery delivery, LedgerOutcome outcome, Progress progress, Instant nextAttemptAt,
            int retryStep) {
        Map<String, AttributeValue> item = firstItem(delivery, outcome, progress, nextAttemptAt, retryStep,
                clock.instant());
        try {
            dynamoDb.putItem(b -> b.tableName(tableName).item(item)
                    .conditionExpression("attribute_not_exists(#webhookId)")
                    .expressionAttributeNames(Map.of("#webhookId", "webhookId")));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /** The whole item of a delivery's first outcome. */
    private Map<String, AttributeValue> firstItem(LedgerDelivery delivery, LedgerOutcome outcome, Progress progress,
            Instant nextAttemptAt, int retryStep, Instant now) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(key(delivery.key()));
        item.put("outcome", AttributeValue.fromS(outcome.value()));
        item.put("event", AttributeValue.fromS(delivery.event()));
        item.put("conversationKey", AttributeValue.fromS(delivery.conversationKey()));
        item.put("sequenceNumber", AttributeValue.fromS(delivery.sequenceNumber()));
        item.put("attempts", number(progress.attempts()));
        if (progress.lastStatus() > 0) {
            item.put("lastStatus", number(progress.lastStatus()));
        }
        if (progress.lastError() != null) {
            item.put("lastError", AttributeValue.fromS(progress.lastError()));
        }
        if (progress.latencyMillis() > 0) {
            item.put("latencyMillis", number(progress.latencyMillis()));
        }
        if (nextAttemptAt != null) {
            item.put("nextAttemptAt", AttributeValue.fromS(nextAttemptAt.toString()));
            item.put("retryStep", number(retryStep));
        }
        item.put("createdAt", AttributeValue.fromS(now.toString()));
        item.put("updatedAt", AttributeValue.fromS(now.toString()));
        item.put("expiresAt", expires(now, retention));
        return item;
    }

    private Update describe(LedgerDelivery delivery, LedgerOutcome outcome, Progress progress, Instant now, Duration keep) {
        Update update = new Update()
                .set("outcome", AttributeValue.fromS(outcome.value()))
                .set("event", AttributeValue.fromS(delivery.event()))
                .set("conversationKey", AttributeValue.fromS(delivery.conversationKey()))
                .set("sequenceNumber", AttributeValue.fromS(delivery.sequenceNumber()))
                .set("attempts", number(progress.attempts()))
                .setIfAbsent("createdAt", AttributeValue.fromS(now.toString()))
                .set("updatedAt", AttributeValue.fromS(now.toString()))
                .set("expiresAt", expires(now, keep));
        if (progress.lastStatus() > 0) {
            update.set("lastStatus", number(progress.lastStatus()));
        } else {
            update.remove("lastStatus");
        }
        if (progress.lastError() != null) {
            update.set("lastError", AttributeValue.fromS(progress.lastError()));
        } else {
            update.remove("lastError");
        }
        if (progress.latencyMillis() > 0) {
            update.set("latencyMillis", number(progress.latencyMillis()));
        }
        return update;
    }

    private boolean updateIfParked(LedgerKey key, Update update) {
        return updateIf(key, update, "attribute_not_exists(#webhookId) OR #outcome = :expected", LedgerOutcome.PARKED);
    }

    private boolean updateIf(LedgerKey key, Update update, String condition, LedgerOutcome expected) {
        update.names.put("#outcome", "outcome");
        update.names.put("#webhookId", "webhookId");
        update.values.put(":expected", AttributeValue.fromS(expected.value()));
        Map<String, String> names = new HashMap<>(update.names);
        if (!condition.contains("#webhookId")) {
            names.remove("#webhookId");
        }
        try {
            dynamoDb.updateItem(b -> b.tableName(tableName).key(key(key)).updateExpression(update.expression())
                    .conditionExpression(condition).expressionAttributeNames(names)
                    .expressionAttributeValues(update.values));
            return true;
        } catch (ConditionalCheckFailedException finished) {
            return false;
        }
    }

    private static LedgerEntry entry(Map<String, AttributeValue> item) {
        LedgerKey key = new LedgerKey(text(item, "webhookId"), text(item, "subscriptionId"));
        Set<String> parked = item.containsKey("parked") && item.get("parked").hasSs() ? Set.copyOf(item.get("parked").ss())
                : Set.of();
        if (key.webhookId().startsWith(LedgerKey.PAIR_PREFIX)) {
            return new LedgerEntry(key, null, null, Progress.NONE, null, 0, null, parked);
        }
        LedgerOutcome outcome = LedgerOutcome.of(text(item, "outcome")).orElse(null);
        LedgerDelivery delivery = new LedgerDelivery(key.webhookId(), key.subscriptionId(), text(item, "event"),
                text(item, "conversationKey"), text(item, "sequenceNumber"));
        Progress progress = new Progress((int) number(item, "attempts"), (int) number(item, "lastStatus"),
                text(item, "lastError"), number(item, "latencyMillis"));
        AttributeValue body = item.get("body");
        return new LedgerEntry(key, outcome, delivery, progress, instant(text(item, "nextAttemptAt")),
                (int) number(item, "retryStep"), body == null || body.b() == null ? null : body.b().asByteArray(), parked);
    }

    private static Map<String, AttributeValue> key(LedgerKey key) {
        return Map.of("webhookId", AttributeValue.fromS(key.webhookId()), "subscriptionId",
                AttributeValue.fromS(key.subscriptionId()));
    }

    private static AttributeValue expires(Instant now, Duration keep) {
        return AttributeValue.fromN(Long.toString(now.plus(keep).getEpochSecond()));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.n() == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the ledger", e);
        }
    }

    /** An update expression with a placeholder for every attribute name, so reserved words never matter. */
    private static final class Update {
        private final List<String> sets = new ArrayList<>();
        private final List<String> removes = new ArrayList<>();
        private final Map<String, String> names = new HashMap<>();
        private final Map<String, AttributeValue> values = new HashMap<>();

        Update set(String attribute, AttributeValue value) {
            sets.add(name(attribute) + " = " + value(attribute, value));
            return this;
        }

        Update setIfAbsent(String attribute, AttributeValue value) {
            String name = name(attribute);
            sets.add(name + " = if_not_exists(" + name + ", " + value(attribute, value) + ")");
            return this;
        }

        Update remove(String attribute) {
            removes.add(name(attribute));
            return this;
        }

        String expression() {
            return "SET " + String.join(", ", sets) + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
        }

        private String name(String attribute) {
            String placeholder = "#" + attribute;
            names.put(placeholder, attribute);
            return placeholder;
        }

        private String value(String attribute, AttributeValue value) {
            String placeholder = ":" + attribute;
            values.put(placeholder, value);
            return placeholder;
        }
    }
}
