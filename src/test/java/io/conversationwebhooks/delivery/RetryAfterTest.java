package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Retry-After in both RFC 9110 forms, relative to the moment the response arrived. */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-10-21T07:28:00Z");

    @ParameterizedTest(name = "{0} -> {1} s")
    @CsvSource(delimiter = '|', value = {
            "120 | 120",
            "0 | 0",
            " 7  | 7",
            "Wed, 21 Oct 2026 07:28:30 GMT | 30",
            "Wed, 21 Oct 2026 07:27:00 GMT | 0",
            "99999999 | 43200",
            "Thu, 22 Oct 2026 07:28:01 GMT | 43200" })
    void should_read_seconds_and_http_dates(String header, long seconds) {
        assertEquals(Optional.of(Duration.ofSeconds(seconds)), RetryAfter.parse(header, NOW));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "soon", "-5", "1.5", "2026-10-21T07:28:30Z" })
    void should_ignore_anything_else(String header) {
        assertEquals(Optional.empty(), RetryAfter.parse(header, NOW));
    }
}
