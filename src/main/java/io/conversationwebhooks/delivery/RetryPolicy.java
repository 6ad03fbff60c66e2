package io.conversationwebhooks.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * When to retry a delivery inside one invocation: exponential backoff with "equal jitter"
 * (<a href="https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/">AWS Architecture Blog,
 * Exponential Backoff and Jitter</a>): before attempt {@code n+1} wait half of {@code min(max, initial * 2^(n-1))}
 * plus a random part of the other half, so retries of many deliveries spread out but never come back at once.
 */
public final class RetryPolicy {

    /** Jitter from the calling thread's {@link ThreadLocalRandom}, safe to share between threads. */
    public static final RandomGenerator THREAD_LOCAL_RANDOM = new RandomGenerator() {
        @Override
        public long nextLong() {
            return ThreadLocalRandom.current().nextLong();
        }

        @Override
        public long nextLong(long bound) {
            return ThreadLocalRandom.current().nextLong(bound);
        }
    };

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final RandomGenerator random;

    /**
     * @param maxAttempts attempts per delivery, the first included; at least 1
     * @param initialBackoff the backoff bound after the first attempt
     * @param maxBackoff the largest backoff bound
     * @param random source of jitter
     */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, RandomGenerator random) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.random = random;
    }

    /** Attempts per delivery, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * @param attemptsMade attempts already made, at least 1
     * @return the wait before the next attempt, between half the bound and the bound
     */
    public Duration backoffAfter(int attemptsMade) {
        long bound = initialBackoff.toMillis();
        for (int i = 1; i < attemptsMade && bound < maxBackoff.toMillis(); i++) {
            bound *= 2;
        }
        bound = Math.min(bound, maxBackoff.toMillis());
        long half = bound / 2;
        return Duration.ofMillis(half + (bound - half == 0 ? 0 : random.nextLong(bound - half + 1)));
    }
}
