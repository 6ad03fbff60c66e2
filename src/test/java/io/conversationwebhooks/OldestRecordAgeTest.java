package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.conversationwebhooks.stream.StreamRecord;

/** The age of a batch's oldest record, from {@code ApproximateCreationDateTime} (fractional epoch seconds). */
class OldestRecordAgeTest {

    private static final Instant NOW = Instant.parse("2026-11-30T22:00:10Z");

    @Test
    void is_now_minus_the_smallest_creation_time_to_the_millisecond() {
        List<StreamRecord> records = List.of(record("1796076005.5"), record(null), record("1796076002.25"),
                record("1796076009"));
        // 2026-11-30T22:00:02.250Z
        assertEquals(Optional.of(Duration.ofMillis(7750)), ConversationStreamFunction.oldestRecordAge(records, NOW));
    }

    @Test
    void is_absent_when_no_record_has_a_creation_time() {
        assertEquals(Optional.empty(), ConversationStreamFunction.oldestRecordAge(List.of(record(null)), NOW));
        assertEquals(Optional.empty(), ConversationStreamFunction.oldestRecordAge(List.of(), NOW));
    }

    private static StreamRecord record(String approximateCreationDateTime) {
        return new StreamRecord("e", null, null, "1", approximateCreationDateTime == null ? null
                : new BigDecimal(approximateCreationDateTime), "42", null, null);
    }
}
