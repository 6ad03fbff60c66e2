package io.conversationwebhooks.operations;

import io.conversationwebhooks.delivery.DeliveryOutcome;

/**
 * The delivery counts written as metrics (README, "Monitoring"), each with its CloudWatch metric name. One delivery is
 * one event of a record to one subscriber; a delivery is counted once per function that works on it (a failed one in
 * the stream function, then parked, then delivered or dead-lettered by the retry function).
 */
public enum DeliveryCount {

    /** Answered 2xx. */
    DELIVERED("DeliveriesDelivered"),
    /** Attempts failed (5xx, 429, other 4xx, timeout, connection error, deadline): parked, rescheduled or failing its record. */
    FAILED("DeliveriesFailed"),
    /** Put on the retry queue by the stream function. */
    PARKED("DeliveriesParked"),
    /** Given up by the retry function: kept in the ledger for {@code ./replay.sh}. */
    DEAD_LETTERED("DeliveriesDeadLettered"),
    /** Never sent: the address guard refused the URL, the URL is malformed, or the subscriber answered 410 Gone. */
    REFUSED("DeliveriesRefused"),
    /** Not sent again: the ledger shows an earlier invocation finished or parked it. */
    ALREADY_DONE("DeliveriesAlreadyDone");

    private final String metricName;

    /**
     * The count of a delivery's attempts: {@link #DELIVERED} (2xx), {@link #REFUSED} (address guard, malformed URL,
     * 410 Gone), otherwise {@link #FAILED} (the invocation's deadline included).
     */
    public static DeliveryCount of(DeliveryOutcome outcome) {
        if (outcome instanceof DeliveryOutcome.Delivered) {
            return DELIVERED;
        }
        if (outcome instanceof DeliveryOutcome.Rejected || outcome instanceof DeliveryOutcome.Gone) {
            return REFUSED;
        }
        return FAILED;
    }

    DeliveryCount(String metricName) {
        this.metricName = metricName;
    }

    /** The CloudWatch metric name (unit Count). */
    public String metricName() {
        return metricName;
    }
}
