package io.conversationwebhooks.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.conversationwebhooks.change.ChangeDetector;
import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.ConversationPayload;
import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.TargetCheck;
import io.conversationwebhooks.delivery.WebhookDispatcher;
import io.conversationwebhooks.delivery.WebhookIds;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.ledger.LedgerKey;
import io.conversationwebhooks.operations.DeliveryCount;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.settlement.DeliveryJournal;
import io.conversationwebhooks.stream.ConversationImage;
import io.conversationwebhooks.stream.MalformedRecordException;
import io.conversationwebhooks.stream.RecordHandler;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.subscription.DisabledSubscriptions;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.SubscriptionRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Turns stream records into webhook deliveries: detects the events, picks the subscribers, builds the body once per
 * record and dispatches. Events of one record reach a subscriber in CONTRACT order, one after the other (a failure
 * that is not parked stops the rest for that subscriber); different subscribers are served concurrently. The
 * {@link DeliveryJournal} decides around each dispatch what was already done, what is parked, and what a failure means
 * for the record.
 */
@ApplicationScoped
public class WebhookDeliveries {

    private static final Logger LOG = Logger.getLogger(WebhookDeliveries.class);

    private final SubscriptionRepository subscriptions;
    private final AddressGuard guard;
    private final WebhookDispatcher dispatcher;
    private final DeliveryJournal journal;
    private final DisabledSubscriptions disabledHere;
    private final OperationsReport report;

    /**
     * As the container's, with no subscription disabled by a delivery's answer other than by the journal's 410s, and
     * nothing reported to operators.
     */
    public WebhookDeliveries(SubscriptionRepository subscriptions, AddressGuard guard, WebhookDispatcher dispatcher,
            DeliveryJournal journal) {
        this(subscriptions, guard, dispatcher, journal, new DisabledSubscriptions(), OperationsReport.NONE);
    }

    /**
     * @param subscriptions where subscribers come from (read once per batch)
     * @param guard the address guard, asked once per batch and URL
     * @param dispatcher sends each request with its inline retries
     * @param journal what is done around each dispatch: the pass-through journal without a ledger, else the ledger's
     * @param disabledHere the subscriptions the journal's subscription health disabled in this container: one disabled
     *        during a batch (410 Gone, failing past the limit) gets no further request from the batch
     * @param report where each delivery is counted (metrics, README "Monitoring")
     */
    @Inject
    public WebhookDeliveries(SubscriptionRepository subscriptions, AddressGuard guard, WebhookDispatcher dispatcher,
            DeliveryJournal journal, DisabledSubscriptions disabledHere, OperationsReport report) {
        this.report = report;
        this.subscriptions = subscriptions;
        this.guard = guard;
        this.dispatcher = dispatcher;
        this.journal = journal;
        this.disabledHere = disabledHere;
    }

    /**
     * Prepares one batch: reads the subscriptions (blocking, cached by the repository).
     *
     * @param deadline when delivery attempts must have ended: the invocation's deadline minus the time its ledger and
     *        queue writes need
     * @return the handler for the batch's records, which also counts deliveries
     */
    public BatchDeliveries forBatch(Instant deadline) {
        List<Subscription> enabled = subscriptions.subscriptions().stream().filter(Subscription::enabled).toList();
        return new BatchDeliveries(enabled, deadline);
    }

    /** The deliveries of one batch, with their counts. */
    public final class BatchDeliveries implements RecordHandler {

        private final List<Subscription> subscriptions;
        private final Map<String, Uni<Optional<TargetCheck>>> targets = new ConcurrentHashMap<>();
        private final Instant deadline;
        private final LongAdder delivered = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder rejected = new LongAdder();
        private final LongAdder parked = new LongAdder();
        private final LongAdder alreadyDone = new LongAdder();
        private final Set<String> gone = ConcurrentHashMap.newKeySet();
        private DeliveryJournal.BatchJournal batchJournal;

        private BatchDeliveries(List<Subscription> subscriptions, Instant deadline) {
            this.subscriptions = subscriptions;
            this.deadline = deadline;
        }

        /**
         * The guard's verdict on a URL, checked once per batch and only for subscribers that receive something; the
         * lookup runs on a worker thread and gives up at the deadline (empty then: the deadline, not the host, is to
         * blame).
         */
        private Uni<Optional<TargetCheck>> target(String url) {
            return targets.computeIfAbsent(url, key -> {
                Duration left = Duration.between(Instant.now(), deadline);
                return Uni.createFrom().item(() -> Optional.of(guard.check(key)))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .ifNoItem().after(left.isNegative() ? Duration.ZERO : left)
                        .recoverWithItem(Optional::empty)
                        .memoize().indefinitely();
            });
        }

        /**
         * Starts the journal's reads for every delivery the batch owes. A record whose events cannot be told (malformed)
         * is left out here; its own {@link #handle} reports it.
         */
        @Override
        public void prepare(List<StreamRecord> records) {
            List<DeliveryJournal.Owed> owed = new ArrayList<>();
            for (StreamRecord record : records) {
                try {
                    List<LedgerKey> keys = new ArrayList<>();
                    Map<ConversationEvent, String> ids = new EnumMap<>(ConversationEvent.class);
                    owedEvents(record, ChangeDetector.detect(record)).forEach((subscription, events) -> events.forEach(
                            event -> keys.add(new LedgerKey(ids.computeIfAbsent(event,
                                    id -> WebhookIds.webhookId(record, id)), subscription.id()))));
                    if (!keys.isEmpty()) {
                        owed.add(new DeliveryJournal.Owed(record, keys));
                    }
                } catch (RuntimeException e) {
                    LOG.debugf("Record %s not read ahead: %s", record.sequenceNumber(), e.getMessage());
                }
            }
            DeliveryJournal.BatchJournal opened = journal.forBatch(owed);
            synchronized (this) {
                batchJournal = opened;
            }
        }

        @Override
        public Uni<Outcome> handle(StreamRecord record) {
            Map<Subscription, List<ConversationEvent>> owed = owedEvents(record, ChangeDetector.detect(record));
            if (owed.isEmpty()) {
                return Uni.createFrom().item(Outcome.HANDLED);
            }
            byte[] body = body(record);
            Map<ConversationEvent, String> ids = new EnumMap<>(ConversationEvent.class);
            List<List<WebhookRequest>> perSubscriber = new ArrayList<>();
            owed.forEach((subscription, events) -> perSubscriber.add(events.stream()
                    .map(event -> new WebhookRequest(ids.computeIfAbsent(event, id -> WebhookIds.webhookId(record, id)),
                            record.conversationId(), event, subscription, body))
                    .toList()));
            List<WebhookRequest> all = perSubscriber.stream().flatMap(List::stream).toList();
            return batchJournal().open(record, all).flatMap(recordJournal -> Uni.join()
                    .all(perSubscriber.stream().map(requests -> inOrder(requests, recordJournal)).toList())
                    .andCollectFailures()
                    .map(results -> results.stream().allMatch(Boolean::booleanValue) ? Outcome.HANDLED : Outcome.FAILED)
                    // what the journal held back is written whatever became of the others
                    .onItemOrFailure().transformToUni((outcome, failure) -> recordJournal.close()
                            .flatMap(closed -> failure == null ? Uni.createFrom().item(outcome)
                                    : Uni.createFrom().<Outcome>failure(failure))));
        }

        /** The batch's journal: opened by {@link #prepare}, or here, without reading ahead, when it was not called. */
        private synchronized DeliveryJournal.BatchJournal batchJournal() {
            if (batchJournal == null) {
                batchJournal = journal.forBatch(List.of());
            }
            return batchJournal;
        }

        /** Completes when the journal has written what the batch's records handed over. */
        @Override
        public Uni<Void> finished() {
            return batchJournal().finished();
        }

        /**
         * The events each subscriber receives from a record, in CONTRACT order, subscribers in configuration order;
         * subscribers that receive nothing, or were stopped during the batch, are absent.
         */
        private Map<Subscription, List<ConversationEvent>> owedEvents(StreamRecord record, List<ConversationEvent> events) {
            Map<Subscription, List<ConversationEvent>> owed = new LinkedHashMap<>();
            if (events.isEmpty()) {
                return owed;
            }
            Set<String> mailboxes = mailboxes(record);
            Set<String> current = currentMailbox(record);
            for (Subscription subscription : subscriptions) {
                if (stopped(subscription.id())) {
                    continue;
                }
                List<ConversationEvent> accepted = events.stream()
                        .filter(event -> subscription.accepts(event, event == ConversationEvent.MOVED ? mailboxes : current))
                        .toList();
                if (!accepted.isEmpty()) {
                    owed.put(subscription, accepted);
                }
            }
            return owed;
        }

        /** Delivers one subscriber's requests in order; true when none failed the record. */
        private Uni<Boolean> inOrder(List<WebhookRequest> requests, DeliveryJournal.RecordJournal recordJournal) {
            boolean[] ok = { true };
            return Multi.createFrom().iterable(requests)
                    .onItem().transformToUniAndConcatenate(request -> {
                        if (!ok[0] || stopped(request.subscription().id())) {
                            return Uni.createFrom().voidItem();
                        }
                        return deliver(request, recordJournal).invoke(disposition -> {
                            if (disposition == DeliveryJournal.Disposition.PARKED) {
                                parked.increment();
                                report.delivery(DeliveryCount.PARKED, request.subscription().id());
                            } else if (disposition == DeliveryJournal.Disposition.FAILED) {
                                ok[0] = false;
                            }
                        }).replaceWithVoid();
                    })
                    .collect().last()
                    .map(ignored -> ok[0]);
        }

        private Uni<DeliveryJournal.Disposition> deliver(WebhookRequest request, DeliveryJournal.RecordJournal recordJournal) {
            return switch (recordJournal.plan(request)) {
                case ALREADY_DONE -> {
                    alreadyDone.increment();
                    report.delivery(DeliveryCount.ALREADY_DONE, request.subscription().id());
                    yield Uni.createFrom().item(DeliveryJournal.Disposition.HANDLED);
                }
                case PARK -> recordJournal.park(request);
                case SEND -> target(request.subscription().url())
                        .flatMap(target -> target.isPresent() ? dispatcher.dispatch(request, target.get(), deadline)
                                : Uni.createFrom().item(lookupCut(request)))
                        .flatMap(outcome -> {
                            count(outcome);
                            report.attempted(request.subscription().id(), outcome);
                            if (outcome instanceof DeliveryOutcome.Gone) {
                                gone.add(request.subscription().id());
                            }
                            return recordJournal.settle(request, outcome);
                        });
            };
        }

        /** Disabled during this batch: answered 410 here, or disabled by the container's subscription health. */
        private boolean stopped(String subscriptionId) {
            return gone.contains(subscriptionId) || disabledHere.contains(subscriptionId);
        }

        private DeliveryOutcome lookupCut(WebhookRequest request) {
            LOG.warnf("Delivery of %s %s to subscription %s not attempted: its address lookup did not finish by the "
                    + "deadline", request.event().eventName(), request.webhookId(), request.subscription().id());
            return new DeliveryOutcome.DeadlineReached(0, "address lookup did not finish by the deadline");
        }

        private void count(DeliveryOutcome outcome) {
            if (outcome instanceof DeliveryOutcome.Delivered) {
                delivered.increment();
            } else if (outcome instanceof DeliveryOutcome.Rejected || outcome instanceof DeliveryOutcome.Gone) {
                rejected.increment();
            } else {
                failed.increment();
            }
        }

        /** Deliveries answered 2xx so far. */
        public long delivered() {
            return delivered.sum();
        }

        /** Deliveries whose attempts failed so far (then parked, or failing their record). */
        public long failed() {
            return failed.sum();
        }

        /** Deliveries refused by the address guard, for a malformed URL, or answered 410 Gone so far. */
        public long rejected() {
            return rejected.sum();
        }

        /** Deliveries parked on the retry queue so far (after failing, or behind an earlier parked one). */
        public long parked() {
            return parked.sum();
        }

        /** Deliveries not sent because an earlier invocation already finished or parked them (ledger). */
        public long alreadyDone() {
            return alreadyDone.sum();
        }
    }

    private static byte[] body(StreamRecord record) {
        try {
            return ConversationPayload.toJson(record.currentImage(), "Record " + record.eventId() + " (sequence number "
                    + record.sequenceNumber() + ", conversation " + record.conversationId() + ")");
        } catch (RuntimeException e) {
            throw new MalformedRecordException(record.eventId(), record.sequenceNumber(),
                    "image cannot be mapped to a conversation: " + e.getMessage());
        }
    }

    private static Set<String> currentMailbox(StreamRecord record) {
        return record.currentImage().mailboxId().map(Set::of).orElse(Set.of());
    }

    private static Set<String> mailboxes(StreamRecord record) {
        Set<String> mailboxes = new LinkedHashSet<>(currentMailbox(record));
        record.old().flatMap(ConversationImage::mailboxId).ifPresent(mailboxes::add);
        return mailboxes;
    }
}
