package io.conversationwebhooks.parking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.Progress;

/** The retry queue's message, ids and delays, and the retry schedule. */
class RetryPiecesTest {

    private static final LedgerDelivery DELIVERY = new LedgerDelivery("msg_0123456789abcdef0123456789abcdef", "crm",
            "convo.status", "arn:aws:dynamodb:eu-west-1:123456789012:table/conversations#101", "100000000004219100001");

    @Test
    void a_parked_delivery_survives_its_message_body_byte_for_byte() {
        byte[] body = "{\"id\":101,\"subject\":\"Grüße \\u2028 ✓\"}".getBytes(StandardCharsets.UTF_8);
        ParkedDelivery parked = new ParkedDelivery(DELIVERY, body, new Progress(3, 503, "HTTP 503", 0),
                Instant.parse("2026-11-30T12:00:00Z"), Instant.parse("2026-11-30T12:00:05Z"), 1);

        ParkedDelivery read = ParkedDelivery.fromJson(parked.toJson());

        assertEquals(DELIVERY, read.delivery());
        assertArrayEquals(body, read.body());
        assertEquals(parked.progress(), read.progress());
        assertEquals(parked.parkedAt(), read.parkedAt());
        assertEquals(parked.notBefore(), read.notBefore());
        assertEquals(1, read.retryStep());
    }

    @Test
    void a_message_that_is_not_a_parked_delivery_names_what_is_wrong() {
        assertEquals("message body is not JSON",
                assertThrows(IllegalArgumentException.class, () -> ParkedDelivery.fromJson("{")).getMessage());
        assertEquals("webhookId is missing",
                assertThrows(IllegalArgumentException.class, () -> ParkedDelivery.fromJson("{}")).getMessage());
    }

    @Test
    void group_ids_are_readable_when_valid_and_hashed_otherwise() {
        assertEquals("t#101|crm", RetryQueue.groupId("t#101", "crm"));
        String longKey = "arn:aws:dynamodb:eu-west-1:123456789012:table/" + "c".repeat(100) + "#101";
        String hashed = RetryQueue.groupId(longKey, "crm");
        assertTrue(hashed.matches("sha256-[0-9a-f]{64}"), hashed);
        assertEquals(hashed, RetryQueue.groupId(longKey, "crm"));
        assertNotEquals(hashed, RetryQueue.groupId(longKey, "crm2"));
        assertTrue(RetryQueue.groupId("t#101", "sub with space").startsWith("sha256-"));
    }

    @Test
    void deduplication_ids_are_stable_per_delivery_and_subscriber() {
        String id = RetryQueue.deduplicationId("msg_1", "crm");
        assertTrue(id.matches("[0-9a-f]{64}"));
        assertEquals(id, RetryQueue.deduplicationId("msg_1", "crm"));
        assertNotEquals(id, RetryQueue.deduplicationId("msg_1", "crm2"));
        assertNotEquals(id, RetryQueue.deduplicationId("msg_2", "crm"));
    }

    @Test
    void visibility_is_whole_seconds_rounded_up_within_what_is_left_of_the_12_hours_from_receipt() {
        assertEquals(0, RetryQueue.visibilitySeconds(Duration.ofMillis(-5), Duration.ZERO));
        assertEquals(0, RetryQueue.visibilitySeconds(Duration.ZERO, Duration.ZERO));
        assertEquals(1, RetryQueue.visibilitySeconds(Duration.ofMillis(1), Duration.ZERO));
        assertEquals(2, RetryQueue.visibilitySeconds(Duration.ofMillis(1500), Duration.ZERO));
        assertEquals(300, RetryQueue.visibilitySeconds(Duration.ofMinutes(5), Duration.ofSeconds(40)));
        assertEquals(43_200 - 60, RetryQueue.visibilitySeconds(Duration.ofHours(13), Duration.ZERO));
        assertEquals(43_200 - 41 - 60, RetryQueue.visibilitySeconds(Duration.ofHours(12), Duration.ofMillis(40_500)),
                "12 hours from receipt, less the time since receipt rounded up and the margin");
        assertEquals(36_000, RetryQueue.visibilitySeconds(Duration.ofHours(10), Duration.ofSeconds(59)));
    }

    @Test
    void a_schedule_delay_or_retry_after_cap_longer_than_one_receipt_can_hold_is_refused_by_name() {
        assertEquals("webhooks.retry.schedule: PT11H51M is longer than PT11H50M, the longest delay an SQS visibility "
                + "timeout (12 hours from receipt) can hold", assertThrows(IllegalArgumentException.class,
                        () -> new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofMinutes(711)), Duration.ofHours(1)))
                .getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new RetrySchedule(List.of(Duration.ofSeconds(5)), Duration.ofHours(12)));
        assertEquals(2, new RetrySchedule(List.of(Duration.ofSeconds(5), RetryQueue.MAX_DELAY), Duration.ofHours(1)).steps());
    }

    @Test
    void the_schedule_gives_each_step_or_the_capped_retry_after() {
        RetrySchedule schedule = new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30)),
                Duration.ofHours(1));

        assertEquals(3, schedule.steps());
        assertEquals(Duration.ofSeconds(5), schedule.delay(0, Optional.empty()));
        assertEquals(Duration.ofMinutes(30), schedule.delay(2, Optional.empty()));
        assertEquals(Duration.ofSeconds(90), schedule.delay(0, Optional.of(Duration.ofSeconds(90))));
        assertEquals(Duration.ofHours(1), schedule.delay(1, Optional.of(Duration.ofHours(5))));
        assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(List.of(), Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetrySchedule(List.of(Duration.ofSeconds(-1)), Duration.ofHours(1)));
    }

    @Test
    void each_step_leads_to_the_next_until_the_schedule_is_used_up() {
        RetrySchedule schedule = new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5)), Duration.ofHours(1));

        assertEquals(Optional.of(new RetrySchedule.Step(Duration.ofSeconds(5), 1)), schedule.after(0, Optional.empty()));
        assertEquals(Optional.of(new RetrySchedule.Step(Duration.ofMinutes(5), 2)), schedule.after(1, Optional.empty()));
        assertEquals(Optional.of(new RetrySchedule.Step(Duration.ofHours(1), 2)),
                schedule.after(1, Optional.of(Duration.ofHours(3))));
        assertEquals(Optional.empty(), schedule.after(2, Optional.empty()));
        assertEquals(Optional.empty(), schedule.after(2, Optional.of(Duration.ofSeconds(1))));
    }
}
