package io.conversationwebhooks.settlement;

import java.util.EnumMap;
import java.util.Map;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.operations.DeliveryContext;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.subscription.SubscriptionHealth;

/**
 * What an attempt's outcome leads to, for every path that sends (README, "Delivery guarantees"): one table from
 * (path, outcome) to the ledger write, the change to the subscription's health and the next step. Each path carries
 * the rows out and nothing else decides; where paths differ, they differ by a row.
 *
 * <pre>
 * ledger write / health / next
 * path            DELIVERED          GONE               REJECTED          FAILED                    DEADLINE
 * STREAM          -/-/DONE           -/off/DONE         -/-/DONE          -/-/FAIL_RECORD           -/-/FAIL_RECORD
 * STREAM_LEDGER   delivered/-/DONE   skipped/off/DONE   skipped/-/DONE    -/-/FAIL_RECORD           -/-/FAIL_RECORD
 * STREAM_PARKING  delivered/ok/DONE  skipped/off/DONE   skipped/-/DONE    parked/failed/PARK        -/-/FAIL_RECORD
 * RETRY           delivered/ok/DONE  skipped/off/DONE   skipped/-/DONE    rescheduled/failed/LATER  -/-/AGAIN_NOW
 * REPLAY          delivered/-/NEXT   kept/-/STOP        kept/-/STOP       kept/-/STOP               kept/-/STOP
 * </pre>
 * ({@code off}: disabled as for 410 Gone; {@code rescheduled}: or dead-lettered once the schedule is used up or the
 * failure disabled the subscription; {@code kept}: stays dead-lettered with the attempt counted.) The same table is
 * the code of the static initializer below.
 *
 * <p>Order within a row: a disable or a failure is written to the subscription before the ledger (a crash in between
 * leaves the delivery to be finished again, never lost, and the failure decides between dead letter and reschedule);
 * a success is written after the ledger (once {@code delivered} is durable nothing sends it again; a lost success write
 * only delays the failing-period reset). {@code DEADLINE} is the invocation's own deadline, never the subscriber's
 * failure: nothing is counted against it and nothing parked.
 */
public final class Settlement {

    /** The paths that send a delivery. */
    public enum Path {
        /** The stream function without a ledger: a failure fails its record (CONTRACT section 7). */
        STREAM,
        /** The stream function with the ledger and no retry queue. */
        STREAM_LEDGER,
        /** The stream function with the ledger and the retry queue. */
        STREAM_PARKING,
        /** The retry function, one attempt of a parked delivery. */
        RETRY,
        /** {@code ./replay.sh}, one attempt of a dead-lettered delivery. */
        REPLAY
    }

    /** The kinds of attempt outcome the table distinguishes. */
    public enum Kind {
        /** 2xx. */
        DELIVERED,
        /** 410 Gone. */
        GONE,
        /** Never to be sent: the address guard refused the URL, or it is malformed. */
        REJECTED,
        /** Any other failure: 5xx, 429, timeout, connection error, host not resolving, 3xx, other 4xx. */
        FAILED,
        /** The invocation's deadline ended the delivery. */
        DEADLINE;

        /** The kind of an outcome. */
        public static Kind of(DeliveryOutcome outcome) {
            if (outcome instanceof DeliveryOutcome.Delivered) {
                return DELIVERED;
            }
            if (outcome instanceof DeliveryOutcome.Gone) {
                return GONE;
            }
            if (outcome instanceof DeliveryOutcome.Rejected) {
                return REJECTED;
            }
            if (outcome instanceof DeliveryOutcome.DeadlineReached) {
                return DEADLINE;
            }
            return FAILED;
        }
    }

    /** The ledger write of a row. */
    public enum Write {
        /** Nothing is written. */
        NONE,
        /** The delivery is {@code delivered}. */
        DELIVERED,
        /** The delivery is {@code skipped}, never to be sent. */
        SKIPPED,
        /** Parked: pair item, queue message, then the {@code parked} item. */
        PARKED,
        /** Rescheduled with its next attempt time, or {@code dead-lettered} when the schedule is used up or the
         * subscription is disabled. */
        RESCHEDULED_OR_DEAD_LETTERED,
        /** The dead letter stays dead-lettered, with the attempt counted and its error. */
        REPLAY_FAILURE
    }

    /** The change to the subscription's health (README, "Delivery guarantees"). */
    public enum Health {
        /** None. */
        NONE,
        /** A success: the failing period ends. */
        SUCCEEDED,
        /** A failure: the failing period starts or goes on, and may disable the subscription. */
        FAILED,
        /** The subscriber answered 410 Gone: disabled. */
        DISABLED
    }

    /** What follows. */
    public enum Next {
        /** The delivery is finished; the record (or message) owes nothing more for it. */
        DONE,
        /** The stream record fails and Lambda retries it. */
        FAIL_RECORD,
        /** On the retry queue; the record owes nothing more for it. */
        PARK,
        /** The retry function attempts it again after the schedule's delay (or never, once dead-lettered). */
        LATER,
        /** Back on the retry queue at once, no step of the schedule used. */
        AGAIN_NOW,
        /** Replay goes on with the next dead letter. */
        NEXT,
        /** Replay stops, so that nothing overtakes the failed one. */
        STOP
    }

    /**
     * One row.
     *
     * @param write the ledger write
     * @param health the health change
     * @param next what follows
     */
    public record Row(Write write, Health health, Next next) {

        /** Whether the health change is written before the ledger (a disable or a failure) rather than after. */
        public boolean healthFirst() {
            return health == Health.FAILED || health == Health.DISABLED;
        }
    }

    /** Reason of a 410 Gone, in the ledger and on a disabled subscription. */
    public static final String GONE = "HTTP 410 Gone";

    private static final Map<Path, Map<Kind, Row>> TABLE = new EnumMap<>(Path.class);

    static {
        rows(Path.STREAM,
                row(Write.NONE, Health.NONE, Next.DONE),
                row(Write.NONE, Health.DISABLED, Next.DONE),
                row(Write.NONE, Health.NONE, Next.DONE),
                row(Write.NONE, Health.NONE, Next.FAIL_RECORD),
                row(Write.NONE, Health.NONE, Next.FAIL_RECORD));
        rows(Path.STREAM_LEDGER,
                row(Write.DELIVERED, Health.NONE, Next.DONE),
                row(Write.SKIPPED, Health.DISABLED, Next.DONE),
                row(Write.SKIPPED, Health.NONE, Next.DONE),
                row(Write.NONE, Health.NONE, Next.FAIL_RECORD),
                row(Write.NONE, Health.NONE, Next.FAIL_RECORD));
        rows(Path.STREAM_PARKING,
                row(Write.DELIVERED, Health.SUCCEEDED, Next.DONE),
                row(Write.SKIPPED, Health.DISABLED, Next.DONE),
                row(Write.SKIPPED, Health.NONE, Next.DONE),
                row(Write.PARKED, Health.FAILED, Next.PARK),
                row(Write.NONE, Health.NONE, Next.FAIL_RECORD));
        rows(Path.RETRY,
                row(Write.DELIVERED, Health.SUCCEEDED, Next.DONE),
                row(Write.SKIPPED, Health.DISABLED, Next.DONE),
                row(Write.SKIPPED, Health.NONE, Next.DONE),
                row(Write.RESCHEDULED_OR_DEAD_LETTERED, Health.FAILED, Next.LATER),
                row(Write.NONE, Health.NONE, Next.AGAIN_NOW));
        rows(Path.REPLAY,
                row(Write.DELIVERED, Health.NONE, Next.NEXT),
                row(Write.REPLAY_FAILURE, Health.NONE, Next.STOP),
                row(Write.REPLAY_FAILURE, Health.NONE, Next.STOP),
                row(Write.REPLAY_FAILURE, Health.NONE, Next.STOP),
                row(Write.REPLAY_FAILURE, Health.NONE, Next.STOP));
    }

    private Settlement() {
    }

    /**
     * The row of an outcome on a path.
     *
     * @param path the path that made the attempt
     * @param kind the outcome's kind
     * @return the row; never null
     */
    public static Row row(Path path, Kind kind) {
        return TABLE.get(path).get(kind);
    }

    /** The row of an outcome on a path. */
    public static Row row(Path path, DeliveryOutcome outcome) {
        return row(path, Kind.of(outcome));
    }

    /**
     * The ledger's record of an attempt, the same on every path: attempts so far, the last status and error, and the
     * latency of a success.
     *
     * @param outcome the outcome of the attempt (or of the inline attempts)
     * @param attemptsBefore attempts made before it (by earlier invocations)
     * @return the progress to write
     */
    public static Progress progress(DeliveryOutcome outcome, int attemptsBefore) {
        int attempts = attemptsBefore + outcome.attempts();
        if (outcome instanceof DeliveryOutcome.Delivered delivered) {
            return new Progress(attempts, delivered.status(), null, delivered.latencyMillis());
        }
        if (outcome instanceof DeliveryOutcome.Gone) {
            return new Progress(attempts, 410, GONE, 0);
        }
        if (outcome instanceof DeliveryOutcome.Rejected rejected) {
            return new Progress(attempts, 0, rejected.reason(), 0);
        }
        if (outcome instanceof DeliveryOutcome.Retryable retryable) {
            return new Progress(attempts, retryable.status(), retryable.reason(), 0);
        }
        if (outcome instanceof DeliveryOutcome.Failed failed) {
            return new Progress(attempts, failed.status(), "HTTP " + failed.status(), 0);
        }
        return new Progress(attempts, 0, ((DeliveryOutcome.DeadlineReached) outcome).reason(), 0);
    }

    /**
     * Carries out a row's health change (blocking) and reports what it changed to operators (README, "Monitoring"):
     * {@code subscription.disabled} when this change disabled the subscription (410 Gone, or the failing period has
     * lasted long enough), {@code subscription.recovered} when a success ended a failing period.
     *
     * @param delivery the delivery whose attempt it follows (its ids go into the event)
     * @param progress that attempt's progress (its last status and error go into the event)
     * @return whether the subscription is disabled by it: true after {@link Health#DISABLED}, and after
     *         {@link Health#FAILED} when the failing period has lasted long enough
     */
    public static boolean changeHealth(SubscriptionHealth health, Health change, DeliveryContext delivery,
            Progress progress, OperationsReport report) {
        String subscriptionId = delivery.subscriptionId();
        return switch (change) {
            case NONE -> false;
            case SUCCEEDED -> {
                health.succeeded(subscriptionId).ifPresent(since -> report.subscriptionRecovered(delivery, since));
                yield false;
            }
            case FAILED -> {
                SubscriptionHealth.Failure failure = health.failed(subscriptionId);
                if (failure.disabledNow()) {
                    report.subscriptionDisabled(delivery, failure.disabledReason(), failure.failingSince(),
                            progress.lastStatus(), progress.lastError());
                }
                yield failure.disabled();
            }
            case DISABLED -> {
                if (health.disable(subscriptionId, GONE)) {
                    report.subscriptionDisabled(delivery, GONE, null, 410, GONE);
                }
                yield true;
            }
        };
    }

    /** Rows in the order of {@link Kind}: DELIVERED, GONE, REJECTED, FAILED, DEADLINE. */
    private static void rows(Path path, Row delivered, Row gone, Row rejected, Row failed, Row deadline) {
        Map<Kind, Row> rows = new EnumMap<>(Kind.class);
        rows.put(Kind.DELIVERED, delivered);
        rows.put(Kind.GONE, gone);
        rows.put(Kind.REJECTED, rejected);
        rows.put(Kind.FAILED, failed);
        rows.put(Kind.DEADLINE, deadline);
        TABLE.put(path, rows);
    }

    private static Row row(Write write, Health health, Next next) {
        return new Row(write, health, next);
    }
}
