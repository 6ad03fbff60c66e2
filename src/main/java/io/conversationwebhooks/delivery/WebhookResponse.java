package io.conversationwebhooks.delivery;

import java.util.Optional;

/**
 * What a subscriber answered to one webhook request: its final status line (RFC 9110 section 15; interim 1xx responses
 * skipped) and what of it the outcome needs. The body is never kept (CONTRACT section 6).
 *
 * @param status the final status code, 101 to 599
 * @param retryAfter the {@code Retry-After} header as sent, if any (RFC 9110 section 10.2.3)
 * @param millisToStatus milliseconds from sending the request to receiving the final status line
 */
public record WebhookResponse(int status, Optional<String> retryAfter, long millisToStatus) {
}
