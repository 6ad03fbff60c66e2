package io.conversationwebhooks.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.ledger.LedgerEntry;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.parking.ParkedDelivery;
import io.conversationwebhooks.parking.RetrySchedule;
import io.conversationwebhooks.settlement.Settlement;
import io.conversationwebhooks.subscription.Subscription;

/**
 * What the retry function does with one parked delivery at its turn, decided without I/O from (parked delivery, ledger
 * entry, subscription, now); {@link DeliveryRetries} reads those and carries the decision out. Three steps:
 * <ol>
 * <li>{@link #turn}: a delivery the ledger holds as final is dropped; one on the queue longer than
 * {@code webhooks.retry.max-message-age} is dead-lettered; one not yet due waits; else it is {@link Due}.</li>
 * <li>{@link #target}: a subscription that no longer exists skips it, a disabled one dead-letters it; else it is
 * attempted.</li>
 * <li>{@link #settle}: the attempt's row of {@link Settlement} ({@link Settlement.Path#RETRY}) finishes it, puts it back
 * at once (the invocation's deadline stopped it), or takes the next step of the {@link RetrySchedule}: the step's
 * delay, or the {@code Retry-After} of a 429/503 (capped); with no step left, or the subscription disabled by this
 * failure, it is dead-lettered.</li>
 * </ol>
 * How the schedule's steps follow each other is {@link RetrySchedule#after}'s alone.
 */
public final class RetryDecision {

    /** A message due within this much is attempted now rather than put back for less than a second. */
    static final Duration EARLY_TOLERANCE = Duration.ofMillis(500);

    /** What to do with the message. */
    public sealed interface Turn {
    }

    /**
     * The ledger holds a final outcome already (a duplicate message): take its id off the pair item, drop the message.
     *
     * @param outcome the outcome found
     */
    public record Drop(LedgerOutcome outcome) implements Turn {
    }

    /**
     * Finish the delivery with this outcome (ledger, then its id off the pair item); the message is done.
     *
     * @param outcome a final outcome
     * @param progress what the ledger records
     */
    public record Finish(LedgerOutcome outcome, Progress progress) implements Turn {
    }

    /**
     * Not due yet: keep its items alive and put the message back.
     *
     * @param delay until it is due
     */
    public record Wait(Duration delay) implements Turn {
    }

    /**
     * Due: the subscription decides next ({@link #target}).
     *
     * @param step index of the schedule delay to wait after a failure of this attempt
     * @param before attempts so far and their last result
     */
    public record Due(int step, Progress before) implements Turn {
    }

    /**
     * Attempt it now.
     *
     * @param subscription the subscription as it is now (URL, secret)
     * @param step index of the schedule delay to wait after a failure
     * @param before attempts so far and their last result
     */
    public record Attempt(Subscription subscription, int step, Progress before) implements Turn {
    }

    /**
     * The attempt failed: attempt again not before {@code next}.
     *
     * @param progress what the ledger records
     * @param next when the next attempt may start
     * @param step the index of the schedule delay after the next failure
     * @param delay how long the message is hidden
     */
    public record Reschedule(Progress progress, Instant next, int step, Duration delay) implements Turn {
    }

    /** The invocation's deadline stopped the attempt: the message goes back at once, no schedule step used. */
    public record AgainNow() implements Turn {
    }

    private final RetrySchedule schedule;
    private final Duration maxMessageAge;

    /**
     * @param schedule the retry schedule
     * @param maxMessageAge age on the queue at which a parked delivery is dead-lettered
     */
    public RetryDecision(RetrySchedule schedule, Duration maxMessageAge) {
        this.schedule = schedule;
        this.maxMessageAge = maxMessageAge;
    }

    /**
     * The first step: whether the message is a duplicate, too old, early or due.
     *
     * @param parked the message's delivery
     * @param entry its ledger item, when there is one (the ledger's schedule and attempts win over the message's)
     * @param sentAt when SQS accepted the message; null when unknown (then when it was parked)
     * @param now the time of the decision
     * @return {@link Drop}, {@link Finish} (dead-lettered), {@link Wait} or {@link Due}
     */
    public Turn turn(ParkedDelivery parked, Optional<LedgerEntry> entry, Instant sentAt, Instant now) {
        if (entry.isPresent() && entry.get().outcome() != null && entry.get().outcome().isFinal()) {
            return new Drop(entry.get().outcome());
        }
        boolean scheduled = entry.isPresent() && entry.get().nextAttemptAt() != null;
        Instant due = scheduled ? entry.get().nextAttemptAt() : parked.notBefore();
        int step = scheduled ? entry.get().retryStep() : parked.retryStep();
        Progress before = entry.isPresent() && entry.get().progress().attempts() > parked.progress().attempts()
                ? entry.get().progress() : parked.progress();
        Instant accepted = sentAt != null ? sentAt : parked.parkedAt();
        if (!now.isBefore(accepted.plus(maxMessageAge))) {
            return new Finish(LedgerOutcome.DEAD_LETTERED, withError(before,
                    "still parked after " + Duration.between(accepted, now).toHours() + " h: the retry queue would drop it"));
        }
        if (due.isAfter(now.plus(EARLY_TOLERANCE))) {
            return new Wait(Duration.between(now, due));
        }
        return new Due(step, before);
    }

    /**
     * The second step: the subscription as it is now.
     *
     * @param due the first step's answer
     * @param subscription the subscription, empty when it no longer exists
     * @return {@link Finish} (skipped or dead-lettered) or {@link Attempt}
     */
    public Turn target(Due due, Optional<Subscription> subscription) {
        if (subscription.isEmpty()) {
            return new Finish(LedgerOutcome.SKIPPED, withError(due.before(), "subscription no longer exists"));
        }
        if (!subscription.get().enabled()) {
            return new Finish(LedgerOutcome.DEAD_LETTERED, withError(due.before(), "subscription disabled"));
        }
        return new Attempt(subscription.get(), due.step(), due.before());
    }

    /**
     * The third step: what the attempt's outcome leads to.
     *
     * @param attempt the attempt made
     * @param outcome its outcome
     * @param disabled whether the failure just counted disabled the subscription
     *        ({@link io.conversationwebhooks.subscription.SubscriptionHealth#failed})
     * @param now the time after the attempt
     * @return {@link Finish}, {@link Reschedule} or {@link AgainNow}
     */
    public Turn settle(Attempt attempt, DeliveryOutcome outcome, boolean disabled, Instant now) {
        Settlement.Row row = Settlement.row(Settlement.Path.RETRY, outcome);
        Progress progress = Settlement.progress(outcome, attempt.before().attempts());
        return switch (row.write()) {
            case NONE -> new AgainNow();
            case DELIVERED -> new Finish(LedgerOutcome.DELIVERED, progress);
            case SKIPPED -> new Finish(LedgerOutcome.SKIPPED, progress);
            case RESCHEDULED_OR_DEAD_LETTERED -> {
                Optional<Duration> retryAfter = outcome instanceof DeliveryOutcome.Retryable retryable
                        ? retryable.retryAfter() : Optional.empty();
                Optional<RetrySchedule.Step> next = disabled ? Optional.empty() : schedule.after(attempt.step(), retryAfter);
                if (next.isEmpty()) {
                    yield new Finish(LedgerOutcome.DEAD_LETTERED, progress);
                }
                Duration delay = next.get().delay();
                yield new Reschedule(progress, now.plus(delay), next.get().next(), delay);
            }
            default -> throw new IllegalStateException("no retry row writes " + row.write());
        };
    }

    private static Progress withError(Progress progress, String error) {
        return new Progress(progress.attempts(), progress.lastStatus(), error, 0);
    }
}
