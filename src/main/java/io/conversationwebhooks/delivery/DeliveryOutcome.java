package io.conversationwebhooks.delivery;

import java.time.Duration;
import java.util.Optional;

/**
 * What became of one webhook delivery (one event to one subscriber), after the function's inline retries.
 */
public sealed interface DeliveryOutcome {

    /** Attempts made; 0 when no request was sent. */
    int attempts();

    /** Whether the record that owes this delivery must be reported for retry (CONTRACT section 7). */
    default boolean failsRecord() {
        return this instanceof Retryable || this instanceof Failed || this instanceof DeadlineReached;
    }

    /** Reason of a delivery that had no time left to start an attempt. */
    String NO_TIME_LEFT = "invocation deadline reached";

    /**
     * The subscriber answered 2xx.
     *
     * @param status the HTTP status
     * @param attempts attempts made
     * @param latencyMillis duration of the successful attempt, in milliseconds
     */
    record Delivered(int status, int attempts, long latencyMillis) implements DeliveryOutcome {
    }

    /**
     * The last attempt failed in a way a later attempt may cure (5xx, 429, timeout, connection error, host not
     * resolving), and no inline attempt is left.
     *
     * @param status the last HTTP status, or 0 when there was no response
     * @param reason what went wrong
     * @param attempts attempts made
     * @param retryAfter the wait a 429 or 503 asked for in {@code Retry-After} (seconds or HTTP-date, as a duration
     *        from the response), when it had one
     */
    record Retryable(int status, String reason, int attempts, Optional<Duration> retryAfter) implements DeliveryOutcome {

        /** A retryable failure without {@code Retry-After}. */
        public Retryable(int status, String reason, int attempts) {
            this(status, reason, attempts, Optional.empty());
        }
    }

    /**
     * The subscriber answered 410 Gone: it wants no more webhooks
     * (<a href="https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md">Standard
     * Webhooks</a>, delivery behaviour). Not retried; the subscription is disabled and the record does not fail for it.
     *
     * @param attempts attempts made
     */
    record Gone(int attempts) implements DeliveryOutcome {
    }

    /**
     * The subscriber answered with a status that is no success and not worth an inline retry (3xx, which is never
     * followed, and 4xx other than 410 and 429).
     *
     * @param status the HTTP status
     * @param attempts attempts made
     */
    record Failed(int status, int attempts) implements DeliveryOutcome {
    }

    /**
     * No request may ever be sent: the address guard refused the URL or it is malformed. Logged at WARN, counted,
     * not retried, and the record does not fail for it.
     *
     * @param reason the guard's reason
     */
    record Rejected(String reason) implements DeliveryOutcome {
        @Override
        public int attempts() {
            return 0;
        }
    }

    /**
     * The invocation's own deadline ended the delivery, not the subscriber: no time was left to start an attempt, an
     * attempt was cut short below the attempt timeout, or the subscriber's address lookup did not finish in time. It
     * fails its record, like {@link Retryable}, but it is never parked and never counted as a failure of the
     * subscription: the record's retry by Lambda sends it again, and the ledger keeps that retry from reaching anybody
     * twice.
     *
     * @param attempts attempts made (the last one may have been cut short)
     * @param reason what the deadline stopped
     */
    record DeadlineReached(int attempts, String reason) implements DeliveryOutcome {
    }
}
