package io.conversationwebhooks.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.LedgerEntry;
import io.conversationwebhooks.ledger.LedgerKey;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.parking.ParkedDelivery;
import io.conversationwebhooks.parking.RetrySchedule;
import io.conversationwebhooks.retry.RetryDecision.AgainNow;
import io.conversationwebhooks.retry.RetryDecision.Attempt;
import io.conversationwebhooks.retry.RetryDecision.Drop;
import io.conversationwebhooks.retry.RetryDecision.Due;
import io.conversationwebhooks.retry.RetryDecision.Finish;
import io.conversationwebhooks.retry.RetryDecision.Reschedule;
import io.conversationwebhooks.retry.RetryDecision.Turn;
import io.conversationwebhooks.retry.RetryDecision.Wait;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;

/**
 * The retry function's decisions for one parked delivery, table by table, without I/O (the fault-injection suite,
 * {@code DeliveryGuaranteesTest}, runs the same decisions against real queues and receivers).
 */
class RetryDecisionTest {

    private static final Instant PARKED_AT = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant NOW = PARKED_AT.plus(Duration.ofHours(1));
    private static final LedgerDelivery DELIVERY = new LedgerDelivery("msg_1", "crm", "convo.status", "t#101", "4200");
    private static final Progress PARKING = new Progress(3, 503, "HTTP 503", 0);
    private static final Subscription ENABLED = subscription(true);
    private static final Subscription DISABLED = subscription(false);

    private final RetryDecision decision = new RetryDecision(new RetrySchedule(
            List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30)), Duration.ofHours(1)),
            Duration.ofDays(13));

    static Stream<Arguments> turns() {
        ParkedDelivery dueNow = parked(NOW, 1);
        return Stream.of(
                Arguments.of("delivered already: dropped", dueNow, entry(LedgerOutcome.DELIVERED, null, 0, PARKING), null,
                        new Drop(LedgerOutcome.DELIVERED)),
                Arguments.of("dead-lettered already: dropped", dueNow, entry(LedgerOutcome.DEAD_LETTERED, null, 0, PARKING),
                        null, new Drop(LedgerOutcome.DEAD_LETTERED)),
                Arguments.of("skipped already: dropped", dueNow, entry(LedgerOutcome.SKIPPED, null, 0, PARKING), null,
                        new Drop(LedgerOutcome.SKIPPED)),
                Arguments.of("no ledger item, due by the message", dueNow, null, null, new Due(1, PARKING)),
                Arguments.of("no ledger item, early by the message", parked(NOW.plusSeconds(90), 1), null, null,
                        new Wait(Duration.ofSeconds(90))),
                Arguments.of("due within the 500 ms tolerance", parked(NOW.plusMillis(400), 1), null, null,
                        new Due(1, PARKING)),
                Arguments.of("the ledger's schedule wins over the message's", dueNow,
                        entry(LedgerOutcome.PARKED, NOW.plusSeconds(300), 2, new Progress(4, 500, "HTTP 500", 0)), null,
                        new Wait(Duration.ofSeconds(300))),
                Arguments.of("due by the ledger, its step and attempts", parked(NOW.plusSeconds(600), 1),
                        entry(LedgerOutcome.PARKED, NOW, 2, new Progress(4, 500, "HTTP 500", 0)), null,
                        new Due(2, new Progress(4, 500, "HTTP 500", 0))),
                Arguments.of("parked item without a schedule: the message's, with the larger attempts", dueNow,
                        entry(LedgerOutcome.PARKED, null, 0, new Progress(1, 0, "x", 0)), null, new Due(1, PARKING)),
                Arguments.of("on the queue 13 days by SentTimestamp: dead-lettered", dueNow, null,
                        NOW.minus(Duration.ofDays(13)), new Finish(LedgerOutcome.DEAD_LETTERED,
                                new Progress(3, 503, "still parked after 312 h: the retry queue would drop it", 0))),
                Arguments.of("no SentTimestamp: parked-at counts, 1 h is young", dueNow, null, null, new Due(1, PARKING)),
                Arguments.of("too old wins over not yet due", parked(NOW.plusSeconds(90), 1), null,
                        NOW.minus(Duration.ofDays(14)), new Finish(LedgerOutcome.DEAD_LETTERED,
                                new Progress(3, 503, "still parked after 336 h: the retry queue would drop it", 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("turns")
    void turn(String rule, ParkedDelivery parked, LedgerEntry entry, Instant sentAt, Turn expected) {
        assertEquals(expected, decision.turn(parked, Optional.ofNullable(entry), sentAt, NOW));
    }

    static Stream<Arguments> targets() {
        Due due = new Due(2, PARKING);
        return Stream.of(
                Arguments.of("subscription gone from the table: skipped", due, null,
                        new Finish(LedgerOutcome.SKIPPED, new Progress(3, 503, "subscription no longer exists", 0))),
                Arguments.of("subscription disabled: dead-lettered", due, DISABLED,
                        new Finish(LedgerOutcome.DEAD_LETTERED, new Progress(3, 503, "subscription disabled", 0))),
                Arguments.of("subscription enabled: attempted with its current URL and secret", due, ENABLED,
                        new Attempt(ENABLED, 2, PARKING)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void target(String rule, Due due, Subscription subscription, Turn expected) {
        assertEquals(expected, decision.target(due, Optional.ofNullable(subscription)));
    }

    static Stream<Arguments> settlements() {
        Attempt first = new Attempt(ENABLED, 1, PARKING);
        Attempt last = new Attempt(ENABLED, 3, PARKING);
        return Stream.of(
                Arguments.of("2xx: delivered, attempts added up", first, new DeliveryOutcome.Delivered(204, 1, 35), false,
                        new Finish(LedgerOutcome.DELIVERED, new Progress(4, 204, null, 35))),
                Arguments.of("410: skipped", first, new DeliveryOutcome.Gone(1), true,
                        new Finish(LedgerOutcome.SKIPPED, new Progress(4, 410, "HTTP 410 Gone", 0))),
                Arguments.of("refused URL: skipped, no attempt counted", first, new DeliveryOutcome.Rejected("private address"),
                        false, new Finish(LedgerOutcome.SKIPPED, new Progress(3, 0, "private address", 0))),
                Arguments.of("5xx with steps left: the step's delay", first, new DeliveryOutcome.Retryable(500, "HTTP 500", 1),
                        false, new Reschedule(new Progress(4, 500, "HTTP 500", 0), NOW.plus(Duration.ofMinutes(5)), 2,
                                Duration.ofMinutes(5))),
                Arguments.of("429 with Retry-After: its delay, the step used", first,
                        new DeliveryOutcome.Retryable(429, "HTTP 429", 1, Optional.of(Duration.ofMinutes(7))), false,
                        new Reschedule(new Progress(4, 429, "HTTP 429", 0), NOW.plus(Duration.ofMinutes(7)), 2,
                                Duration.ofMinutes(7))),
                Arguments.of("503 with a Retry-After beyond the cap: the cap", first,
                        new DeliveryOutcome.Retryable(503, "HTTP 503", 1, Optional.of(Duration.ofHours(5))), false,
                        new Reschedule(new Progress(4, 503, "HTTP 503", 0), NOW.plus(Duration.ofHours(1)), 2,
                                Duration.ofHours(1))),
                Arguments.of("4xx: rescheduled like any failure", first, new DeliveryOutcome.Failed(404, 1), false,
                        new Reschedule(new Progress(4, 404, "HTTP 404", 0), NOW.plus(Duration.ofMinutes(5)), 2,
                                Duration.ofMinutes(5))),
                Arguments.of("timeout: rescheduled", first, new DeliveryOutcome.Retryable(0, "TimeoutException", 1), false,
                        new Reschedule(new Progress(4, 0, "TimeoutException", 0), NOW.plus(Duration.ofMinutes(5)), 2,
                                Duration.ofMinutes(5))),
                Arguments.of("schedule used up: dead-lettered", last, new DeliveryOutcome.Retryable(500, "HTTP 500", 1), false,
                        new Finish(LedgerOutcome.DEAD_LETTERED, new Progress(4, 500, "HTTP 500", 0))),
                Arguments.of("this failure disabled the subscription: dead-lettered", first,
                        new DeliveryOutcome.Retryable(500, "HTTP 500", 1), true,
                        new Finish(LedgerOutcome.DEAD_LETTERED, new Progress(4, 500, "HTTP 500", 0))),
                Arguments.of("the invocation's deadline: back at once, no step used", first,
                        new DeliveryOutcome.DeadlineReached(1, "attempt cut short"), false, new AgainNow()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settlements")
    void settle(String rule, Attempt attempt, DeliveryOutcome outcome, boolean disabled, Turn expected) {
        assertEquals(expected, decision.settle(attempt, outcome, disabled, NOW));
    }

    private static ParkedDelivery parked(Instant notBefore, int step) {
        return new ParkedDelivery(DELIVERY, "{}".getBytes(StandardCharsets.UTF_8), PARKING, PARKED_AT, notBefore, step);
    }

    private static LedgerEntry entry(LedgerOutcome outcome, Instant nextAttemptAt, int step, Progress progress) {
        return new LedgerEntry(new LedgerKey("msg_1", "crm"), outcome, DELIVERY, progress, nextAttemptAt, step, null, Set.of());
    }

    private static Subscription subscription(boolean enabled) {
        return new Subscription("crm", "https://crm.example.com/hook", Set.of(), Set.of(), WebhookSecret.of("secret"),
                enabled);
    }
}
