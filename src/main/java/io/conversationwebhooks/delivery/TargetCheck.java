package io.conversationwebhooks.delivery;

import java.net.URI;

/** The address guard's verdict on a subscriber URL. */
public sealed interface TargetCheck {

    /**
     * The URL may be called.
     *
     * @param uri the parsed URL
     */
    record Allowed(URI uri) implements TargetCheck {
    }

    /**
     * The URL can never be called: malformed, not http(s), or resolving to a non-public address while private
     * networks are not allowed. Not retried; does not fail the record (CONTRACT section 7).
     *
     * @param reason why, naming the address class; never a secret
     */
    record Refused(String reason) implements TargetCheck {
    }

    /**
     * The host name did not resolve now; it may later, so deliveries to it are retryable failures.
     *
     * @param reason why
     */
    record Unresolved(String reason) implements TargetCheck {
    }
}
