package io.conversationwebhooks.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads a {@code Retry-After} response header
 * (<a href="https://www.rfc-editor.org/rfc/rfc9110#name-retry-after">RFC 9110, section 10.2.3</a>): either
 * non-negative decimal seconds ({@code 120}) or an HTTP-date ({@code Wed, 21 Oct 2026 07:28:00 GMT}).
 */
public final class RetryAfter {

    /** Longest wait taken from a header, whatever it says: SQS cannot hide a message for longer. */
    public static final Duration LIMIT = Duration.ofHours(12);

    private RetryAfter() {
    }

    /**
     * @param value the header value, or null
     * @param now the time the response arrived, for an HTTP-date
     * @return the wait from {@code now}: zero for a date in the past, at most {@link #LIMIT}; empty when the header is
     *         absent or is neither form
     */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.trim();
        if (text.chars().allMatch(Character::isDigit)) {
            if (text.length() > 6) {
                return Optional.of(LIMIT);
            }
            return Optional.of(bounded(Duration.ofSeconds(Long.parseLong(text))));
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : bounded(wait));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Duration bounded(Duration wait) {
        return wait.compareTo(LIMIT) > 0 ? LIMIT : wait;
    }
}
