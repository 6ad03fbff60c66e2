package io.conversationwebhooks.settlement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

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
import io.conversationwebhooks.settlement.DeliveryJournal;
import io.conversationwebhooks.settlement.Settlement;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The journal with the delivery ledger (and, when configured, the retry queue).
 *
 * <p>Before a record's deliveries, one consistent read of the ledger gets the items of all its (webhook-id,
 * subscription) pairs and, with a retry queue, the pair items of its subscribers. A delivery with an item is not sent
 * again, whatever its outcome: that is what keeps a redelivered batch from reaching a subscriber twice. A delivery whose
 * pair has parked deliveries not finished yet is parked behind them, never sent directly, so that it cannot overtake
 * them.
 *
 * <p>After a delivery, its row of {@link Settlement} ({@code STREAM_LEDGER}, or {@code STREAM_PARKING} with a retry
 * queue) is carried out. Its outcome is written with a condition that no item exists: delivered, or skipped (address
 * guard, malformed URL, 410 Gone, which also disables the subscription). A failure is parked when a retry queue exists;
 * otherwise it fails its record, as without a ledger. A delivery stopped by the invocation's own deadline
 * ({@link DeliveryOutcome.DeadlineReached}) fails its record and is neither parked nor counted against the
 * subscription. If the ledger write after a 2xx fails, the delivery still counts
 * as done (it was made); a later redelivery of that record would send it again.
 *
 * <p>Ledger calls block, so they run on Quarkus' worker pool, never on the event loop that completes HTTP responses.
 */
public final class LedgerJournal implements DeliveryJournal {

    private static final Logger LOG = Logger.getLogger(LedgerJournal.class);

    private final DeliveryLedger ledger;
    private final DeliveryParking parking;
    private final SubscriptionHealth health;
    private final Settlement.Path path;
    private final OperationsReport report;

    /**
     * @param ledger the ledger
     * @param parking where failed deliveries go; null without a retry queue
     * @param health where 410 Gone disables a subscription and where failures and successes are counted
     */
    public LedgerJournal(DeliveryLedger ledger, DeliveryParking parking, SubscriptionHealth health) {
        this(ledger, parking, health, OperationsReport.NONE);
    }

    /**
     * @param report where a subscription disabled or recovered by a delivery is reported
     */
    public LedgerJournal(DeliveryLedger ledger, DeliveryParking parking, SubscriptionHealth health,
            OperationsReport report) {
        this.report = report;
        this.ledger = ledger;
        this.parking = parking;
        this.health = health;
        this.path = parking == null ? Settlement.Path.STREAM_LEDGER : Settlement.Path.STREAM_PARKING;
    }

    @Override
    public Uni<RecordJournal> open(StreamRecord record, List<WebhookRequest> requests) {
        List<LedgerKey> keys = new ArrayList<>();
        for (WebhookRequest request : requests) {
            keys.add(new LedgerKey(request.webhookId(), request.subscription().id()));
            if (parking != null) {
                keys.add(LedgerKey.pair(record.orderingKey(), request.subscription().id()));
            }
        }
        return blocking(() -> ledger.read(keys)).map(found -> new Opened(record, found));
    }

    private final class Opened implements RecordJournal {

        private final StreamRecord record;
        private final Map<LedgerKey, LedgerEntry> found;
        private final Set<String> busyPairs = ConcurrentHashMap.newKeySet();

        Opened(StreamRecord record, Map<LedgerKey, LedgerEntry> found) {
            this.record = record;
            this.found = found;
            found.values().stream().filter(entry -> !entry.parked().isEmpty())
                    .forEach(entry -> busyPairs.add(entry.key().subscriptionId()));
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
            return parking != null && busyPairs.contains(request.subscription().id()) ? Plan.PARK : Plan.SEND;
        }

        @Override
        public Uni<Disposition> settle(WebhookRequest request, DeliveryOutcome outcome) {
            return blocking(() -> settleNow(request, outcome)).onFailure().recoverWithItem(e -> {
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

        /** Carries out the outcome's row of {@link Settlement} for this path. */
        private Disposition settleNow(WebhookRequest request, DeliveryOutcome outcome) {
            String subscriptionId = request.subscription().id();
            Settlement.Row row = Settlement.row(path, outcome);
            DeliveryContext context = new DeliveryContext(subscriptionId, record.conversationId(), request.webhookId(),
                    request.event().eventName());
            if (row.healthFirst()) {
                Settlement.changeHealth(health, row.health(), context, Settlement.progress(outcome, 0), report);
            }
            switch (row.write()) {
                case NONE -> {
                    if (outcome instanceof DeliveryOutcome.DeadlineReached reached) {
                        log(request, () -> LOG.debugf("%s for subscription %s not parked: %s", request.webhookId(),
                                subscriptionId, reached.reason()));
                    }
                }
                case DELIVERED -> record(request, LedgerOutcome.DELIVERED, Settlement.progress(outcome, 0));
                case SKIPPED -> record(request, LedgerOutcome.SKIPPED, Settlement.progress(outcome, 0));
                case PARKED -> {
                    Optional<Duration> retryAfter = outcome instanceof DeliveryOutcome.Retryable retryable
                            ? retryable.retryAfter() : Optional.empty();
                    if (!parking.parkFailed(delivery(request), request.body(), Settlement.progress(outcome, 0), retryAfter)) {
                        return Disposition.FAILED;
                    }
                    busyPairs.add(subscriptionId);
                }
                default -> throw new IllegalStateException("no stream row writes " + row.write());
            }
            if (!row.healthFirst()) {
                Settlement.changeHealth(health, row.health(), context, Settlement.progress(outcome, 0), report);
            }
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

        /** Makes one log call with the delivery's ids in the MDC. */
        private void log(WebhookRequest request, Runnable log) {
            LogFields.with(record.conversationId(), request.subscription().id(), request.webhookId(), log);
        }

        private LedgerDelivery delivery(WebhookRequest request) {
            return new LedgerDelivery(request.webhookId(), request.subscription().id(), request.event().eventName(),
                    record.orderingKey(), record.sequenceNumber());
        }
    }

    private static <T> Uni<T> blocking(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
