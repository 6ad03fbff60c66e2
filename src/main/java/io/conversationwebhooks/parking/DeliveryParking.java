package io.conversationwebhooks.parking;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.LedgerEntry;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.operations.DeliveryContext;
import io.conversationwebhooks.operations.LogFields;

/**
 * Parks deliveries on the retry queue, in this order so that nothing overtakes and nothing is lost:
 * <ol>
 * <li>the webhook-id is added to its pair item, so later deliveries of the pair are parked behind it from now on;</li>
 * <li>the message is sent to the queue (its group is the pair); if that fails, parking fails (the stream record is then
 * retried by Lambda). The id stays on the pair item, since SQS may have stored the message all the same: the record's
 * retry parks the delivery behind itself with the same deduplication id;</li>
 * <li>the delivery is recorded as {@code parked} in the ledger. If only this write fails, the message is on the queue
 * all the same and the retry function, which takes the message's own data when the ledger has none, finishes it. If
 * the ledger holds a final outcome for it already, its id is taken off the pair item again.</li>
 * </ol>
 */
public final class DeliveryParking {

    private static final Logger LOG = Logger.getLogger(DeliveryParking.class);

    private final DeliveryLedger ledger;
    private final RetryQueue queue;
    private final RetrySchedule schedule;
    private final Clock clock;

    public DeliveryParking(DeliveryLedger ledger, RetryQueue queue, RetrySchedule schedule, Clock clock) {
        this.ledger = ledger;
        this.queue = queue;
        this.schedule = schedule;
        this.clock = clock;
    }

    /**
     * Parks a delivery whose inline attempts failed; the retry function attempts it after the first delay of the
     * schedule, or after the {@code Retry-After} the subscriber asked for.
     *
     * @param progress the failed attempts and their last result
     * @param retryAfter the wait the last response asked for (429, 503), if any
     * @return whether it is parked
     */
    public boolean parkFailed(LedgerDelivery delivery, byte[] body, Progress progress, Optional<Duration> retryAfter) {
        RetrySchedule.Step first = schedule.after(0, retryAfter).orElseThrow();
        return park(delivery, body, progress, first.delay(), first.next());
    }

    /**
     * Parks a delivery that was not sent because an earlier one of its pair is parked; the retry function attempts it
     * as soon as the earlier ones are finished.
     *
     * @return whether it is parked
     */
    public boolean parkBehind(LedgerDelivery delivery, byte[] body) {
        return park(delivery, body, new Progress(0, 0, "parked behind an earlier delivery of the conversation", 0),
                Duration.ZERO, 1);
    }

    /**
     * The ledger already had an item for a delivery just parked. When it is final, the delivery was finished by an
     * earlier parking of it, and SQS may have dropped the message just sent as a duplicate (five-minute deduplication
     * interval): nobody would then take its id off the pair item, which would keep the pair parking everything until
     * the item expires. So the id is taken off here; a message that did get through is dropped as a duplicate.
     */
    private void forgetIfFinished(LedgerDelivery delivery) {
        Optional<LedgerEntry> entry = ledger.get(delivery.key());
        if (entry.isPresent() && entry.get().outcome() != null && entry.get().outcome().isFinal()) {
            log(delivery, () -> LOG.debugf("%s for subscription %s is %s already; taken off its pair item",
                    delivery.webhookId(), delivery.subscriptionId(), entry.get().outcome().value()));
            ledger.removeParked(delivery.pairKey(), delivery.webhookId());
        }
    }

    private boolean park(LedgerDelivery delivery, byte[] body, Progress progress, Duration delay, int retryStep) {
        Instant now = clock.instant();
        Instant notBefore = now.plus(delay);
        try {
            ledger.addParked(delivery.pairKey(), delivery.webhookId());
        } catch (RuntimeException e) {
            log(delivery, () -> LOG.errorf(
                    "Cannot park %s %s for subscription %s: the ledger's pair item cannot be written: %s",
                    delivery.event(), delivery.webhookId(), delivery.subscriptionId(), e.getMessage()));
            return false;
        }
        try {
            queue.send(new ParkedDelivery(delivery, body, progress, now, notBefore, retryStep));
        } catch (RuntimeException e) {
            // The id stays on the pair item: SQS may have accepted the message all the same (a timeout after it was
            // stored). The record fails; its retry parks the delivery behind itself with the same deduplication id,
            // and the retry function takes the id off when it finishes the delivery.
            log(delivery, () -> LOG.errorf("Cannot park %s %s for subscription %s: the retry queue refused it: %s",
                    delivery.event(), delivery.webhookId(), delivery.subscriptionId(), e.getMessage()));
            return false;
        }
        try {
            if (!ledger.recordParked(delivery, progress, notBefore, retryStep)) {
                forgetIfFinished(delivery);
            }
        } catch (RuntimeException e) {
            log(delivery, () -> LOG.errorf("Parked %s %s for subscription %s, but cannot record it in the ledger: %s",
                    delivery.event(), delivery.webhookId(), delivery.subscriptionId(), e.getMessage()));
        }
        log(delivery, () -> LOG.infof("Parked %s %s for subscription %s (%s), first retry not before %s",
                delivery.event(), delivery.webhookId(), delivery.subscriptionId(), progress.lastError(), notBefore));
        return true;
    }

    /** Makes one log call with the delivery's ids in the MDC. */
    private static void log(LedgerDelivery delivery, Runnable log) {
        LogFields.with(DeliveryContext.ofConversationKey(delivery.subscriptionId(), delivery.conversationKey(),
                delivery.webhookId(), delivery.event()), log);
    }
}
