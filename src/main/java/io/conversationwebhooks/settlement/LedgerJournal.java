package io.conversationwebhooks.settlement;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.LedgerEntry;
import io.conversationwebhooks.ledger.LedgerKey;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.operations.DeliveryContext;
import io.conversationwebhooks.operations.LogFields;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.parking.DeliveryParking;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.smallrye.mutiny.Uni;

/**
 * The journal with the delivery ledger (and, when configured, the retry queue).
 *
 * <p>Reads: when a batch opens, the ledger items of every (webhook-id, subscription) pair the batch owes and, with a
 * retry queue, the pair items of its (conversation, subscriber) pairs are read with strongly consistent BatchGetItems of
 * 100 keys, started at once and concurrently, keys in the order records are handled (the first record of every
 * conversation, then the second, ...). A record waits only for the reads that hold its own keys. A delivery with an
 * item is not sent again, whatever its outcome: that is what keeps a redelivered batch from reaching a subscriber
 * twice. A delivery whose pair has parked deliveries not finished yet (read, or parked by this batch) is parked behind
 * them, never sent directly, so that it cannot overtake them.
 *
 * <p>Writes: after a delivery, its row of {@link Settlement} ({@code STREAM_LEDGER}, or {@code STREAM_PARKING} with a
 * retry queue) is carried out. The rows that only record a first outcome, delivered or skipped for good (address guard,
 * malformed URL), are held back until the record closes, then handed to the batch's {@code OutcomeWriter}, which
 * writes them with {@link DeliveryLedger#recordAllFirst} (TransactWriteItems, each item with the condition that none
 * exists, so that a concurrent or redriven invocation still cannot record a second delivery), records that close while
 * a write is in flight together in the next (group commit); a success's health change follows the write. The next
 * record of a conversation does not wait for the write; the batch's {@link BatchJournal#finished} does. Every other row
 * (410 Gone, a failure to park, the invocation's deadline) first waits until everything handed over so far is written,
 * then is carried out at once, so that a subscriber's outcomes reach the ledger and its health in the order they
 * happened. A failure is parked when a retry queue exists; otherwise it fails its record, as without a ledger. A
 * delivery stopped by the invocation's own deadline ({@link DeliveryOutcome.DeadlineReached}) fails its record and is
 * neither parked nor counted against the subscription. If the ledger write after a 2xx fails, the delivery still
 * counts as done (it was made); a later redelivery of that record would send it again, as it would if the invocation
 * stopped between the deliveries and the write.
 *
 * <p>Ledger and queue calls block, so they run on a small pool of their own ({@link #LEDGER_THREADS} threads by
 * default), never on the event loop that completes HTTP responses and never one thread per call.
 */
public final class LedgerJournal implements DeliveryJournal {

    /** Threads of the default pool that makes the ledger's and the retry queue's blocking calls. */
    public static final int LEDGER_THREADS = 8;

    private static final Logger LOG = Logger.getLogger(LedgerJournal.class);
    private static final int READ_LIMIT = 100;
    /** Most items in one write: TransactWriteItems' limit. */
    private static final int WRITE_LIMIT = 100;
    /** Most writes of held-back outcomes in flight at once, per batch. */
    private static final int MAX_WRITES_IN_FLIGHT = 2;

    private final DeliveryLedger ledger;
    private final DeliveryParking parking;
    private final SubscriptionHealth health;
    private final Settlement.Path path;
    private final OperationsReport report;
    private final Executor calls;

    /**
     * @param ledger the ledger
     * @param parking where failed deliveries go; null without a retry queue
     * @param health where 410 Gone disables a subscription and where failures and successes are counted
     */
    public LedgerJournal(DeliveryLedger ledger, DeliveryParking parking, SubscriptionHealth health) {
        this(ledger, parking, health, OperationsReport.NONE, newPool(LEDGER_THREADS));
    }

    /**
     * @param ledger the ledger
     * @param parking where failed deliveries go; null without a retry queue
     * @param health where 410 Gone disables a subscription and where failures and successes are counted
     * @param report where a subscription disabled or recovered by a delivery is reported
     * @param calls runs the ledger's and the queue's blocking calls (see {@link #newPool})
     */
    public LedgerJournal(DeliveryLedger ledger, DeliveryParking parking, SubscriptionHealth health,
            OperationsReport report, Executor calls) {
        this.report = report;
        this.ledger = ledger;
        this.parking = parking;
        this.health = health;
        this.calls = calls;
        this.path = parking == null ? Settlement.Path.STREAM_LEDGER : Settlement.Path.STREAM_PARKING;
    }

    /**
     * A pool for the blocking calls: a fixed number of daemon threads named {@code ledger-calls-N}, whose queue takes
     * whatever waits for a thread.
     *
     * @param threads at least 1
     * @return the pool; shut it down when done
     */
    public static ExecutorService newPool(int threads) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, work -> {
            Thread thread = new Thread(work, "ledger-calls-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public BatchJournal forBatch(List<Owed> owed) {
        return new Batch(owed);
    }

    /** The keys a record's deliveries need read: their items and, with a retry queue, their pair items. */
    private List<LedgerKey> keys(StreamRecord record, List<LedgerKey> deliveries) {
        List<LedgerKey> keys = new ArrayList<>(deliveries);
        if (parking != null) {
            deliveries.stream().map(delivery -> LedgerKey.pair(record.orderingKey(), delivery.subscriptionId()))
                    .distinct().forEach(keys::add);
        }
        return keys;
    }

    /** One batch: its reads, by key, and the pairs known to have parked deliveries. */
    private final class Batch implements BatchJournal {

        private final Map<LedgerKey, CompletableFuture<Map<LedgerKey, LedgerEntry>>> reads = new ConcurrentHashMap<>();
        private final Set<LedgerKey> busyPairs = ConcurrentHashMap.newKeySet();
        private final OutcomeWriter writer = new OutcomeWriter();

        Batch(List<Owed> owed) {
            List<LedgerKey> keys = new ArrayList<>(new LinkedHashSet<>(inHandlingOrder(owed)));
            for (int from = 0; from < keys.size(); from += READ_LIMIT) {
                List<LedgerKey> chunk = keys.subList(from, Math.min(keys.size(), from + READ_LIMIT));
                CompletableFuture<Map<LedgerKey, LedgerEntry>> read = read(chunk);
                chunk.forEach(key -> reads.put(key, read));
            }
        }

        /**
         * The keys of the first record of every conversation, then of the second, ...: the order in which the batch
         * processor starts records, conversations in the order of their first record.
         */
        private List<LedgerKey> inHandlingOrder(List<Owed> owed) {
            Map<String, List<Owed>> byConversation = new LinkedHashMap<>();
            for (Owed record : owed) {
                byConversation.computeIfAbsent(record.record().orderingKey(), key -> new ArrayList<>()).add(record);
            }
            List<LedgerKey> keys = new ArrayList<>();
            for (int turn = 0; !byConversation.isEmpty(); turn++) {
                int index = turn;
                byConversation.values().removeIf(records -> {
                    Owed record = records.get(index);
                    keys.addAll(keys(record.record(), record.deliveries()));
                    return records.size() == index + 1;
                });
            }
            return keys;
        }

        private CompletableFuture<Map<LedgerKey, LedgerEntry>> read(List<LedgerKey> keys) {
            return CompletableFuture.supplyAsync(() -> {
                Map<LedgerKey, LedgerEntry> found = ledger.read(keys);
                found.values().stream().filter(entry -> !entry.parked().isEmpty())
                        .forEach(entry -> busyPairs.add(entry.key()));
                return found;
            }, calls);
        }

        @Override
        public Uni<RecordJournal> open(StreamRecord record, List<WebhookRequest> requests) {
            List<LedgerKey> keys = keys(record, requests.stream()
                    .map(request -> new LedgerKey(request.webhookId(), request.subscription().id())).toList());
            Set<CompletableFuture<Map<LedgerKey, LedgerEntry>>> needed = Collections.newSetFromMap(new IdentityHashMap<>());
            List<LedgerKey> unread = new ArrayList<>();
            for (LedgerKey key : keys) {
                CompletableFuture<Map<LedgerKey, LedgerEntry>> read = reads.get(key);
                if (read == null) {
                    unread.add(key);
                } else {
                    needed.add(read);
                }
            }
            if (!unread.isEmpty()) {
                needed.add(read(unread));
            }
            CompletableFuture<?>[] all = needed.toArray(CompletableFuture[]::new);
            return Uni.createFrom().completionStage(CompletableFuture.allOf(all)).map(done -> {
                Set<LedgerKey> wanted = new HashSet<>(keys);
                Map<LedgerKey, LedgerEntry> found = new HashMap<>();
                for (CompletableFuture<Map<LedgerKey, LedgerEntry>> read : needed) {
                    read.join().forEach((key, entry) -> {
                        if (wanted.contains(key)) {
                            found.put(key, entry);
                        }
                    });
                }
                return new Opened(record, found, this);
            });
        }

        @Override
        public Uni<Void> finished() {
            return Uni.createFrom().completionStage(writer::written);
        }
    }

    /**
     * Writes the first outcomes the batch's records held back, in as few requests as DynamoDB allows (group commit):
     * at most {@link #MAX_WRITES_IN_FLIGHT} writes run at once, and each takes everything that waits, up to one
     * TransactWriteItems (100 items). A record alone costs one request; while writes are in flight, the outcomes of the
     * records that close meanwhile wait and go together in the next one.
     */
    private final class OutcomeWriter {

        private final Deque<Held> waiting = new ArrayDeque<>();
        private final Queue<CompletableFuture<Void>> unwritten = new ConcurrentLinkedQueue<>();
        private int writing;

        /** Queues a record's held-back outcomes; they are written soon after, on the pool. */
        void submit(List<Held> held) {
            unwritten.removeIf(CompletableFuture::isDone);
            unwritten.add(CompletableFuture.allOf(held.stream().map(Held::written).toArray(CompletableFuture[]::new)));
            boolean start;
            synchronized (this) {
                waiting.addAll(held);
                start = writing < MAX_WRITES_IN_FLIGHT;
                if (start) {
                    writing++;
                }
            }
            if (start) {
                try {
                    calls.execute(this::drain);
                } catch (RejectedExecutionException shutDown) {
                    // the application is stopping: write here rather than lose the outcomes
                    drain();
                }
            }
        }

        /** Completes when everything submitted so far is written (or failed and logged); never fails. */
        CompletableFuture<Void> written() {
            return CompletableFuture.allOf(unwritten.toArray(CompletableFuture[]::new));
        }

        private void drain() {
            while (true) {
                List<Held> group = new ArrayList<>();
                synchronized (this) {
                    while (!waiting.isEmpty() && group.size() < WRITE_LIMIT) {
                        group.add(waiting.poll());
                    }
                    if (group.isEmpty()) {
                        writing--;
                        return;
                    }
                }
                try {
                    write(group);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Cannot record %d delivery outcomes", group.size());
                } catch (Error e) {
                    // this drain ends: give its slot back, so that later outcomes still get a writer
                    synchronized (this) {
                        writing--;
                    }
                    throw e;
                } finally {
                    group.forEach(held -> held.written().complete(null));
                }
            }
        }

        /** Writes a group of first outcomes, then their health changes (blocking). */
        private void write(List<Held> group) {
            Set<LedgerKey> existing = Set.of();
            Set<LedgerKey> notRecorded = Set.of();
            String failure = null;
            try {
                existing = ledger.recordAllFirst(group.stream()
                        .map(held -> new DeliveryLedger.FirstOutcome(held.delivery(), held.outcome(), held.progress()))
                        .toList());
            } catch (DeliveryLedger.NotRecordedException e) {
                existing = e.existing();
                notRecorded = e.notRecorded();
                failure = e.getCause().getMessage();
            } catch (RuntimeException e) {
                notRecorded = group.stream().map(held -> held.delivery().key()).collect(Collectors.toSet());
                failure = e.getMessage();
            }
            for (Held held : group) {
                String cause = failure;
                if (notRecorded.contains(held.delivery().key())) {
                    held.log(() -> LOG.errorf("%s %s for subscription %s is %s but cannot be recorded in the ledger (a "
                            + "redelivery of its record would send it again): %s", held.delivery().event(),
                            held.delivery().webhookId(), held.delivery().subscriptionId(), held.outcome().value(),
                            cause));
                } else if (existing.contains(held.delivery().key())) {
                    held.log(() -> LOG.debugf("%s for subscription %s was recorded by another invocation",
                            held.delivery().webhookId(), held.delivery().subscriptionId()));
                }
            }
            for (Held held : group) {
                Settlement.changeHealth(health, held.health(), held.context(), held.progress(), report);
            }
        }
    }

    /**
     * A first outcome held back until its record closes, with the health change that follows its write.
     *
     * @param written completes once it is written, or its write failed and was logged
     */
    private record Held(LedgerDelivery delivery, String conversationId, LedgerOutcome outcome, Progress progress,
            Settlement.Health health, CompletableFuture<Void> written) {

        DeliveryContext context() {
            return new DeliveryContext(delivery.subscriptionId(), conversationId, delivery.webhookId(), delivery.event());
        }

        void log(Runnable log) {
            LogFields.with(conversationId, delivery.subscriptionId(), delivery.webhookId(), log);
        }
    }

    private final class Opened implements RecordJournal {

        private final StreamRecord record;
        private final Map<LedgerKey, LedgerEntry> found;
        private final Set<LedgerKey> busyPairs;
        private final OutcomeWriter writer;
        private final List<Held> held = new ArrayList<>();

        Opened(StreamRecord record, Map<LedgerKey, LedgerEntry> found, Batch batch) {
            this.record = record;
            this.found = found;
            this.busyPairs = batch.busyPairs;
            this.writer = batch.writer;
        }

        @Override
        public Plan plan(WebhookRequest request) {
            LedgerEntry entry = found.get(new LedgerKey(request.webhookId(), request.subscription().id()));
            if (entry != null) {
                log(request, () -> LOG.debugf("%s %s for subscription %s is %s already; not sent again",
                        request.event().eventName(), request.webhookId(), request.subscription().id(),
                        entry.outcome() == null ? "recorded" : entry.outcome().value()));
                return Plan.ALREADY_DONE;
            }
            return parking != null && busyPairs.contains(pairKey(request)) ? Plan.PARK : Plan.SEND;
        }

        @Override
        public Uni<Disposition> settle(WebhookRequest request, DeliveryOutcome outcome) {
            Settlement.Row row = Settlement.row(path, outcome);
            if (heldBack(row)) {
                LedgerOutcome first = row.write() == Settlement.Write.DELIVERED ? LedgerOutcome.DELIVERED
                        : LedgerOutcome.SKIPPED;
                synchronized (held) {
                    held.add(new Held(delivery(request), record.conversationId(), first, Settlement.progress(outcome, 0),
                            row.health(), new CompletableFuture<>()));
                }
                return Uni.createFrom().item(disposition(row));
            }
            if (row.write() == Settlement.Write.NONE && row.health() == Settlement.Health.NONE) {
                if (outcome instanceof DeliveryOutcome.DeadlineReached reached) {
                    log(request, () -> LOG.debugf("%s for subscription %s not parked: %s", request.webhookId(),
                            request.subscription().id(), reached.reason()));
                }
                return Uni.createFrom().item(disposition(row));
            }
            // the batch's held-back outcomes first, so that a subscriber's writes happen in the order of its outcomes
            return Uni.createFrom().completionStage(() -> {
                submitHeld();
                return writer.written();
            }).flatMap(written -> blocking(() -> settleNow(request, outcome, row))).onFailure().recoverWithItem(e -> {
                log(request, () -> LOG.errorf(e, "Cannot settle %s for subscription %s", request.webhookId(),
                        request.subscription().id()));
                return Disposition.FAILED;
            });
        }

        @Override
        public Uni<Disposition> park(WebhookRequest request) {
            return blocking(() -> parking.parkBehind(delivery(request), request.body()) ? Disposition.PARKED
                    : Disposition.FAILED).onFailure().recoverWithItem(Disposition.FAILED);
        }

        @Override
        public Uni<Void> close() {
            submitHeld();
            return Uni.createFrom().voidItem();
        }

        /** Rows that only record a first outcome, and whose health change (if any) follows the write. */
        private static boolean heldBack(Settlement.Row row) {
            return (row.write() == Settlement.Write.DELIVERED || row.write() == Settlement.Write.SKIPPED)
                    && !row.healthFirst();
        }

        /** Hands what this record held back to the batch's writer. */
        private void submitHeld() {
            List<Held> writes;
            synchronized (held) {
                if (held.isEmpty()) {
                    return;
                }
                writes = List.copyOf(held);
                held.clear();
            }
            writer.submit(writes);
        }

        /** Carries out the outcome's row of {@link Settlement} for this path, at once. */
        private Disposition settleNow(WebhookRequest request, DeliveryOutcome outcome, Settlement.Row row) {
            String subscriptionId = request.subscription().id();
            DeliveryContext context = context(request);
            Progress progress = Settlement.progress(outcome, 0);
            if (row.healthFirst()) {
                Settlement.changeHealth(health, row.health(), context, progress, report);
            }
            switch (row.write()) {
                case NONE -> {
                    // only the health changes
                }
                case DELIVERED -> record(request, LedgerOutcome.DELIVERED, progress);
                case SKIPPED -> record(request, LedgerOutcome.SKIPPED, progress);
                case PARKED -> {
                    Optional<Duration> retryAfter = outcome instanceof DeliveryOutcome.Retryable retryable
                            ? retryable.retryAfter() : Optional.empty();
                    if (!parking.parkFailed(delivery(request), request.body(), progress, retryAfter)) {
                        return Disposition.FAILED;
                    }
                    busyPairs.add(pairKey(request));
                }
                default -> throw new IllegalStateException("no stream row writes " + row.write());
            }
            if (!row.healthFirst()) {
                Settlement.changeHealth(health, row.health(), context, progress, report);
            }
            return disposition(row);
        }

        private static Disposition disposition(Settlement.Row row) {
            return switch (row.next()) {
                case DONE -> Disposition.HANDLED;
                case PARK -> Disposition.PARKED;
                case FAIL_RECORD -> Disposition.FAILED;
                default -> throw new IllegalStateException("no stream row goes on with " + row.next());
            };
        }

        private void record(WebhookRequest request, LedgerOutcome outcome, Progress progress) {
            try {
                if (!ledger.recordFirst(delivery(request), outcome, progress)) {
                    log(request, () -> LOG.debugf("%s for subscription %s was recorded by another invocation",
                            request.webhookId(), request.subscription().id()));
                }
            } catch (RuntimeException e) {
                log(request, () -> LOG.errorf("%s %s for subscription %s is %s but cannot be recorded in the ledger "
                        + "(a redelivery of its record would send it again): %s", request.event().eventName(),
                        request.webhookId(), request.subscription().id(), outcome.value(), e.getMessage()));
            }
        }

        private DeliveryContext context(WebhookRequest request) {
            return new DeliveryContext(request.subscription().id(), record.conversationId(), request.webhookId(),
                    request.event().eventName());
        }

        private LedgerKey pairKey(WebhookRequest request) {
            return LedgerKey.pair(record.orderingKey(), request.subscription().id());
        }

        /** Makes one log call with the delivery's ids in the MDC. */
        private void log(WebhookRequest request, Runnable log) {
            LogFields.with(record.conversationId(), request.subscription().id(), request.webhookId(), log);
        }

        private LedgerDelivery delivery(WebhookRequest request) {
            return new LedgerDelivery(request.webhookId(), request.subscription().id(), request.event().eventName(),
                    record.orderingKey(), record.sequenceNumber());
        }
    }

    private <T> Uni<T> blocking(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(calls);
    }
}
