package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final Duration INITIAL = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofMillis(1_000);

    /** Jitter that always draws the smallest value. */
    private static final RandomGenerator LOWEST = new FixedDraw(false);
    /** Jitter that always draws the largest value. */
    private static final RandomGenerator HIGHEST = new FixedDraw(true);

    @ParameterizedTest(name = "after attempt {0}: between {1} ms and {2} ms")
    @CsvSource({
            "1, 100, 200", // [initial/2, initial]
            "2, 200, 400", // the bound doubles
            "3, 400, 800",
            "4, 500, 1000", // 1600 is capped at max
            "5, 500, 1000",
            "30, 500, 1000" })
    void should_wait_between_half_the_bound_and_the_bound(int attemptsMade, long lowestMillis, long highestMillis) {
        assertEquals(Duration.ofMillis(lowestMillis), new RetryPolicy(5, INITIAL, MAX, LOWEST).backoffAfter(attemptsMade));
        assertEquals(Duration.ofMillis(highestMillis),
                new RetryPolicy(5, INITIAL, MAX, HIGHEST).backoffAfter(attemptsMade));
    }

    @Test
    void should_stay_within_the_bounds_with_a_seeded_random_source() {
        // given
        RetryPolicy policy = new RetryPolicy(5, INITIAL, MAX, new SplittableRandom(20261130L));

        for (int draw = 0; draw < 1_000; draw++) {
            // when
            long first = policy.backoffAfter(1).toMillis();
            long second = policy.backoffAfter(2).toMillis();
            long capped = policy.backoffAfter(12).toMillis();

            // then
            assertTrue(first >= 100 && first <= 200, "after attempt 1: " + first);
            assertTrue(second >= 200 && second <= 400, "after attempt 2: " + second);
            assertTrue(capped >= 500 && capped <= 1_000, "after attempt 12: " + capped);
        }
    }

    @Test
    void should_spread_retries_with_jitter() {
        RetryPolicy policy = new RetryPolicy(5, INITIAL, MAX, new SplittableRandom(7L));

        long distinct = IntStream.range(0, 50)
                .mapToObj(i -> policy.backoffAfter(1))
                .distinct()
                .count();

        assertTrue(distinct > 1, "50 draws gave " + distinct + " distinct waits");
    }

    @Test
    void should_keep_the_number_of_attempts() {
        assertEquals(3, new RetryPolicy(3, INITIAL, MAX, LOWEST).maxAttempts());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, -1 })
    void should_refuse_fewer_than_one_attempt(int maxAttempts) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(maxAttempts, INITIAL, MAX, LOWEST));

        assertEquals("maxAttempts must be at least 1, was " + maxAttempts, error.getMessage());
    }

    /** A RandomGenerator whose bounded draws are always the lowest or always the highest value allowed. */
    private record FixedDraw(boolean highest) implements RandomGenerator {

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
            return highest ? bound - 1 : 0;
        }

        @Override
        public long nextLong(long origin, long bound) {
            return highest ? bound - 1 : origin;
        }
    }
}
