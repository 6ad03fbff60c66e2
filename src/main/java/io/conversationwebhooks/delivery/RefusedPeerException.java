package io.conversationwebhooks.delivery;

/**
 * How a {@link WebhookClient} attempt fails when {@link AddressGuard#verifyConnected} refused the address its connection
 * reached (DNS rebinding, CONTRACT section 6): the connection was closed and not a byte of the request was sent. Callers
 * take it as a refused target ({@link DeliveryOutcome.Rejected}), not as a retryable connection failure. No stack trace.
 */
public final class RefusedPeerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param reason why the peer was refused, naming the address range and the address; never a secret */
    public RefusedPeerException(String reason) {
        super(reason, null, false, false);
    }

    /** @return why the peer was refused, as {@link AddressGuard#verifyConnected} said */
    public String reason() {
        return getMessage();
    }
}
