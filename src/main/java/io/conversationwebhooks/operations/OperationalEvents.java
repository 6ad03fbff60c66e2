package io.conversationwebhooks.operations;

/**
 * Where operational events go (CONTRACT section 8). Publishing is best-effort: it never throws, and reports whether the
 * event left.
 */
public interface OperationalEvents {

    /** No topic configured: nothing is published. */
    OperationalEvents NONE = event -> true;

    /**
     * Publishes one event; blocking, bounded by the client's call timeout.
     *
     * @return false when it could not be published (already logged)
     */
    boolean publish(OperationalEvent event);
}
