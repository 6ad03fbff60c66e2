package io.conversationwebhooks.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.conversationwebhooks.delivery.DeliveryOutcome;

/**
 * What the functions tell operators (CONTRACT section 8, README "Monitoring"): the one interface the delivery
 * settlement and the functions' entry points call. Every method is best-effort and never throws; none may fail a
 * delivery or a record. Methods that publish an operational event block for at most the SNS call timeout, so they are
 * called from worker threads (where the settlement runs), never from the event loop.
 */
public interface OperationsReport {

    /** Reports nothing. */
    OperationsReport NONE = new OperationsReport() {
    };

    /** Counts a delivery ({@link DeliveryCount}; use {@link #delivered} for {@link DeliveryCount#DELIVERED}). */
    default void delivery(DeliveryCount count, String subscriptionId) {
    }

    /** Counts a delivery answered 2xx, with the duration of its successful attempt in milliseconds. */
    default void delivered(String subscriptionId, long latencyMillis) {
    }

    /**
     * Counts the outcome of a delivery's attempts ({@link DeliveryCount#of}), with the latency of a success.
     */
    default void attempted(String subscriptionId, DeliveryOutcome outcome) {
        if (outcome instanceof DeliveryOutcome.Delivered delivered) {
            delivered(subscriptionId, delivered.latencyMillis());
        } else {
            delivery(DeliveryCount.of(outcome), subscriptionId);
        }
    }

    /**
     * The retry function gave a delivery up: counted, and {@code delivery.dead_lettered} published.
     *
     * @param reason why (schedule used up, subscription disabled, message too old)
     * @param attempts attempts made in all
     * @param lastStatus the last HTTP status, 0 when none
     * @param lastError the last error, or null
     */
    default void deadLettered(DeliveryContext delivery, String reason, int attempts, int lastStatus, String lastError) {
    }

    /**
     * A delivery's outcome disabled its subscription: {@code subscription.disabled} published.
     *
     * @param reason the reason stored with the subscription ({@code HTTP 410 Gone}, {@code failing without success
     *        since ...})
     * @param failingSince when the failure period started, or null (410)
     */
    default void subscriptionDisabled(DeliveryContext delivery, String reason, Instant failingSince, int lastStatus,
            String lastError) {
    }

    /** A delivery succeeded for a subscription that had been failing since then: {@code subscription.recovered}. */
    default void subscriptionRecovered(DeliveryContext delivery, Instant failingSince) {
    }

    /**
     * The stream function received a batch.
     *
     * @param records records in the batch, malformed ones included
     * @param malformed records that cannot be read
     * @param oldestRecordAge now minus the oldest {@code ApproximateCreationDateTime} of the batch, when any record has one
     */
    default void batch(int records, int malformed, Optional<Duration> oldestRecordAge) {
    }

    /**
     * An invocation ends: its metrics are written, with {@code ColdStart} 1 for the first one of this instance.
     *
     * @param function {@link MetricNames#STREAM_FUNCTION} or {@link MetricNames#RETRY_FUNCTION}
     */
    default void invocationEnded(String function) {
    }
}
