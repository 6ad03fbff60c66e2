package io.conversationwebhooks.delivery;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * The HTTP exchange of one webhook attempt (CONTRACT section 6): POSTs a body to a subscriber and answers with the
 * final status line. {@link VertxWebhookClient} is the implementation; {@link WebhookClientProducer} builds it.
 */
public interface WebhookClient {

    /**
     * POSTs the body to the subscriber. Redirects are never followed.
     *
     * @param uri the subscriber URL the address guard allowed
     * @param headers request headers, names as sent: a {@link SignedRequest}'s; values are never logged
     * @param body the exact bytes to send
     * @param timeout the longest the whole exchange may take: the final status line must arrive within it, and what
     *        is read of the body after it also ends within it
     * @return the final status line and the headers it needs ({@link WebhookResponse}), whatever the status; fails
     *         with {@link java.util.concurrent.TimeoutException} when no final status line arrived within
     *         {@code timeout}, with {@link RefusedPeerException} when the address guard refused the connection's peer
     *         (nothing sent), and with the connection's error when the connection fails first. Cancelling it closes
     *         the connection, so nothing more is sent.
     */
    Uni<WebhookResponse> post(URI uri, Map<String, String> headers, byte[] body, Duration timeout);
}
