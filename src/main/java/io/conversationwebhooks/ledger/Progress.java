package io.conversationwebhooks.ledger;

/**
 * Attempts of a delivery and their last result.
 *
 * @param attempts requests sent so far, all invocations together
 * @param lastStatus HTTP status of the last response; 0 when there was none (timeout, connection error, no request)
 * @param lastError what went wrong last; null after a success. Never a secret or a signature.
 * @param latencyMillis duration of the successful attempt in milliseconds; 0 otherwise
 */
public record Progress(int attempts, int lastStatus, String lastError, long latencyMillis) {

    /** Nothing attempted yet. */
    public static final Progress NONE = new Progress(0, 0, null, 0);
}
