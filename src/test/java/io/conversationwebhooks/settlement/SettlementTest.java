package io.conversationwebhooks.settlement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.operations.DeliveryContext;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.settlement.Settlement.Health;
import io.conversationwebhooks.settlement.Settlement.Kind;
import io.conversationwebhooks.settlement.Settlement.Next;
import io.conversationwebhooks.settlement.Settlement.Path;
import io.conversationwebhooks.settlement.Settlement.Row;
import io.conversationwebhooks.settlement.Settlement.Write;
import io.conversationwebhooks.subscription.SubscriptionHealth;

/** The settlement table (README, "Delivery guarantees"), the progress every path records, and the health calls. */
class SettlementTest {

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(Path.STREAM, Kind.FAILED, new Row(Write.NONE, Health.NONE, Next.FAIL_RECORD)),
                Arguments.of(Path.STREAM, Kind.GONE, new Row(Write.NONE, Health.DISABLED, Next.DONE)),
                Arguments.of(Path.STREAM, Kind.REJECTED, new Row(Write.NONE, Health.NONE, Next.DONE)),
                Arguments.of(Path.STREAM_LEDGER, Kind.DELIVERED, new Row(Write.DELIVERED, Health.NONE, Next.DONE)),
                Arguments.of(Path.STREAM_LEDGER, Kind.FAILED, new Row(Write.NONE, Health.NONE, Next.FAIL_RECORD)),
                Arguments.of(Path.STREAM_PARKING, Kind.DELIVERED, new Row(Write.DELIVERED, Health.SUCCEEDED, Next.DONE)),
                Arguments.of(Path.STREAM_PARKING, Kind.FAILED, new Row(Write.PARKED, Health.FAILED, Next.PARK)),
                Arguments.of(Path.STREAM_PARKING, Kind.DEADLINE, new Row(Write.NONE, Health.NONE, Next.FAIL_RECORD)),
                Arguments.of(Path.RETRY, Kind.GONE, new Row(Write.SKIPPED, Health.DISABLED, Next.DONE)),
                Arguments.of(Path.RETRY, Kind.FAILED, new Row(Write.RESCHEDULED_OR_DEAD_LETTERED, Health.FAILED, Next.LATER)),
                Arguments.of(Path.RETRY, Kind.DEADLINE, new Row(Write.NONE, Health.NONE, Next.AGAIN_NOW)),
                Arguments.of(Path.REPLAY, Kind.DELIVERED, new Row(Write.DELIVERED, Health.NONE, Next.NEXT)),
                Arguments.of(Path.REPLAY, Kind.GONE, new Row(Write.REPLAY_FAILURE, Health.NONE, Next.STOP)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rows")
    void each_path_and_outcome_has_its_row(Path path, Kind kind, Row expected) {
        assertEquals(expected, Settlement.row(path, kind));
    }

    @Test
    void every_path_has_a_row_for_every_outcome_and_never_counts_the_deadline_against_the_subscriber() {
        for (Path path : Path.values()) {
            for (Kind kind : Kind.values()) {
                Row row = Settlement.row(path, kind);
                assertTrue(row != null, path + " " + kind);
                if (kind == Kind.DEADLINE) {
                    assertEquals(Health.NONE, row.health(), path + " deadline");
                    assertFalse(row.write() == Write.PARKED, path + " deadline parks nothing");
                }
            }
        }
    }

    @Test
    void a_disable_or_a_failure_is_written_before_the_ledger_a_success_after() {
        assertTrue(Settlement.row(Path.RETRY, Kind.GONE).healthFirst());
        assertTrue(Settlement.row(Path.STREAM_PARKING, Kind.FAILED).healthFirst());
        assertFalse(Settlement.row(Path.RETRY, Kind.DELIVERED).healthFirst());
    }

    static Stream<Arguments> progresses() {
        return Stream.of(
                Arguments.of(new DeliveryOutcome.Delivered(201, 2, 48), 0, new Progress(2, 201, null, 48)),
                Arguments.of(new DeliveryOutcome.Delivered(200, 1, 12), 5, new Progress(6, 200, null, 12)),
                Arguments.of(new DeliveryOutcome.Gone(1), 3, new Progress(4, 410, "HTTP 410 Gone", 0)),
                Arguments.of(new DeliveryOutcome.Rejected("private address"), 2, new Progress(2, 0, "private address", 0)),
                Arguments.of(new DeliveryOutcome.Retryable(503, "HTTP 503", 3), 0, new Progress(3, 503, "HTTP 503", 0)),
                Arguments.of(new DeliveryOutcome.Failed(404, 1), 1, new Progress(2, 404, "HTTP 404", 0)),
                Arguments.of(new DeliveryOutcome.DeadlineReached(1, "cut short"), 0, new Progress(1, 0, "cut short", 0)));
    }

    @ParameterizedTest
    @MethodSource("progresses")
    void every_path_records_the_same_progress(DeliveryOutcome outcome, int before, Progress expected) {
        assertEquals(expected, Settlement.progress(outcome, before));
    }

    @Test
    void health_changes_call_the_subscription_health_once_and_report_what_they_changed() {
        List<String> calls = new ArrayList<>();
        Instant since = Instant.parse("2026-11-25T10:00:00Z");
        SubscriptionHealth health = new SubscriptionHealth() {
            @Override
            public boolean disable(String subscriptionId, String reason) {
                calls.add("disable " + subscriptionId + " " + reason);
                return true;
            }

            @Override
            public Optional<Instant> succeeded(String subscriptionId) {
                calls.add("succeeded " + subscriptionId);
                return Optional.of(since);
            }

            @Override
            public Failure failed(String subscriptionId) {
                calls.add("failed " + subscriptionId);
                return new Failure(true, "failing without success since " + since, since);
            }
        };
        OperationsReport report = new OperationsReport() {
            @Override
            public void subscriptionDisabled(DeliveryContext delivery, String reason, Instant failingSince, int lastStatus,
                    String lastError) {
                calls.add("report disabled " + delivery.subscriptionId() + " " + reason + " " + lastStatus + " " + lastError);
            }

            @Override
            public void subscriptionRecovered(DeliveryContext delivery, Instant failingSince) {
                calls.add("report recovered " + delivery.subscriptionId() + " " + failingSince);
            }
        };
        Progress failure = new Progress(3, 503, "HTTP 503", 0);

        assertFalse(Settlement.changeHealth(health, Health.NONE, context("a"), failure, report));
        assertFalse(Settlement.changeHealth(health, Health.SUCCEEDED, context("b"), failure, report));
        assertTrue(Settlement.changeHealth(health, Health.FAILED, context("c"), failure, report));
        assertTrue(Settlement.changeHealth(health, Health.DISABLED, context("d"), failure, report));

        assertEquals(List.of("succeeded b", "report recovered b 2026-11-25T10:00:00Z", "failed c",
                "report disabled c failing without success since 2026-11-25T10:00:00Z 503 HTTP 503",
                "disable d HTTP 410 Gone", "report disabled d HTTP 410 Gone 410 HTTP 410 Gone"), calls);
    }

    private static DeliveryContext context(String subscriptionId) {
        return new DeliveryContext(subscriptionId, "42", "msg_1", "convo.status");
    }
}
