package io.conversationwebhooks.parking;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The delays of parked deliveries ({@code webhooks.retry.schedule}, default 5s, 5m, 30m, 2h, 5h, 10h, 10h): step 0 is
 * waited before the first retry of a delivery parked after failing (one parked behind another is attempted as soon as
 * its turn comes), step {@code n} after the retry function's {@code n}th failed attempt; a failure with no step left
 * dead-letters the delivery. So the retry function attempts each parked delivery at most {@link #steps()} times. A
 * {@code Retry-After} (429, 503) replaces the step's delay, capped, and still uses the step up.
 */
public final class RetrySchedule {

    private final List<Duration> delays;
    private final Duration maxRetryAfter;

    /**
     * @param delays the delays, at least one, none negative, none longer than {@link RetryQueue#MAX_DELAY}
     * @param maxRetryAfter the longest {@code Retry-After} honoured, at most {@link RetryQueue#MAX_DELAY}
     * @throws IllegalArgumentException naming the setting and the delay that does not fit
     */
    public RetrySchedule(List<Duration> delays, Duration maxRetryAfter) {
        if (delays.isEmpty() || delays.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("webhooks.retry.schedule needs at least one delay, none negative");
        }
        delays.stream().filter(delay -> delay.compareTo(RetryQueue.MAX_DELAY) > 0).findFirst().ifPresent(delay -> {
            throw new IllegalArgumentException("webhooks.retry.schedule: " + delay + " is longer than " + RetryQueue.MAX_DELAY
                    + ", the longest delay an SQS visibility timeout (12 hours from receipt) can hold");
        });
        if (maxRetryAfter.compareTo(RetryQueue.MAX_DELAY) > 0) {
            throw new IllegalArgumentException("webhooks.retry.max-retry-after: " + maxRetryAfter + " is longer than "
                    + RetryQueue.MAX_DELAY + ", the longest delay an SQS visibility timeout (12 hours from receipt) can hold");
        }
        this.delays = List.copyOf(delays);
        this.maxRetryAfter = maxRetryAfter;
    }

    /**
     * One step of the schedule.
     *
     * @param delay the wait before the next attempt
     * @param next the step to take after the next attempt's failure
     */
    public record Step(Duration delay, int next) {
    }

    /**
     * What follows the failure of an attempt made at {@code step}: the step's delay (or the subscriber's
     * {@code Retry-After}, capped) and the step after it, or nothing when the schedule is used up (the delivery is then
     * dead-lettered). Parking itself is the failure at step 0. The one place that says how steps follow each other.
     *
     * @param step the attempt's step, 0 for parking
     * @param retryAfter the wait a 429 or 503 asked for, if any
     * @return the next step; empty when none is left
     */
    public Optional<Step> after(int step, Optional<Duration> retryAfter) {
        if (step >= delays.size()) {
            return Optional.empty();
        }
        return Optional.of(new Step(delay(step, retryAfter), step + 1));
    }

    /** Number of steps. */
    public int steps() {
        return delays.size();
    }

    /**
     * The delay of a step, or the subscriber's {@code Retry-After} (capped) when it gave one.
     *
     * @param step 0 to {@link #steps()} - 1
     */
    public Duration delay(int step, Optional<Duration> retryAfter) {
        Duration scheduled = delays.get(step);
        return retryAfter.map(asked -> asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked).orElse(scheduled);
    }
}
