package io.conversationwebhooks.replay;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.RefusedPeerException;
import io.conversationwebhooks.delivery.SignedRequest;
import io.conversationwebhooks.delivery.TargetCheck;
import io.conversationwebhooks.delivery.VertxWebhookClient;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.delivery.WebhookResponse;
import io.conversationwebhooks.subscription.Subscription;
import io.vertx.core.Vertx;

/**
 * {@link DeadLetterReplay.Sender} for the replay command: the {@link SignedRequest} of CONTRACT section 6, the same the
 * functions send, redirects never followed, and the address guard applied the way the functions
 * apply it (README, "Address guard"): {@link AddressGuard#check} judges the URL's host first, and
 * {@link AddressGuard#verifyConnected} judges the address the connection actually reached before a byte of the
 * request is sent, so a DNS answer that changes in between (DNS rebinding) cannot reach a private address.
 *
 * <p>The exchange is the functions' own ({@link VertxWebhookClient}, on Vert.x's HTTP client): the final status line
 * decides, interim 1xx responses are skipped and the body is read only up to a bound (CONTRACT section 6). Not the
 * JDK's client: it resolves the host again by itself and does not show the connection's peer address, so it could not
 * be checked. One Vert.x instance per sender; {@link #close()} stops it.
 */
public final class HttpSender implements DeadLetterReplay.Sender, AutoCloseable {

    private final Vertx vertx;
    private final WebhookClient client;
    private final AddressGuard guard;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final Duration giveUpAfter;
    private final Clock clock;

    /**
     * @param guard the address guard
     * @param connectTimeout time to connect (TCP and TLS)
     * @param timeout time for the response to start once connected
     * @param clock source of webhook-timestamp
     */
    public HttpSender(AddressGuard guard, Duration connectTimeout, Duration timeout, Clock clock) {
        this(guard, connectTimeout, timeout, connectTimeout.plus(timeout).plusSeconds(1), clock);
    }

    /**
     * As {@link #HttpSender(AddressGuard, Duration, Duration, Clock)}, which gives up after both timeouts and a second.
     *
     * @param giveUpAfter how long {@link #send} waits in all for the response status, a safety net behind the two
     *        timeouts; then the attempt fails with {@code TimeoutException} and the request is reset
     */
    HttpSender(AddressGuard guard, Duration connectTimeout, Duration timeout, Duration giveUpAfter, Clock clock) {
        this.vertx = Vertx.vertx();
        this.client = new VertxWebhookClient(vertx, connectTimeout, 1, guard);
        this.guard = guard;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.giveUpAfter = giveUpAfter;
        this.clock = clock;
    }

    @Override
    public DeadLetterReplay.Attempt send(Subscription subscription, String webhookId, ConversationEvent event, byte[] body) {
        TargetCheck target = guard.check(subscription.url());
        if (!(target instanceof TargetCheck.Allowed allowed)) {
            String reason = target instanceof TargetCheck.Refused refused ? refused.reason()
                    : ((TargetCheck.Unresolved) target).reason();
            return new DeadLetterReplay.Attempt(false, 0, "not sent: " + reason, 0);
        }
        URI uri = allowed.uri();
        SignedRequest signed = SignedRequest.sign(subscription, event, body, webhookId, clock.instant());
        long started = System.nanoTime();
        // Giving up (timeout or interrupt) cancels the exchange, which resets the request: it cannot reach the
        // subscriber afterwards. Mutiny's await() would not cancel it on an interrupt.
        CompletableFuture<WebhookResponse> response = client.post(uri, signed.headers(), signed.body(), connectTimeout.plus(timeout))
                .subscribeAsCompletionStage();
        try {
            int code = response.get(giveUpAfter.toMillis(), TimeUnit.MILLISECONDS).status();
            return new DeadLetterReplay.Attempt(true, code, code >= 200 && code < 300 ? null : "HTTP " + code,
                    millisSince(started));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RefusedPeerException refused) {
                return new DeadLetterReplay.Attempt(false, 0, "not sent: " + refused.reason(), millisSince(started));
            }
            return new DeadLetterReplay.Attempt(true, 0, cause.getClass().getSimpleName(), millisSince(started));
        } catch (TimeoutException e) {
            response.cancel(true);
            return new DeadLetterReplay.Attempt(true, 0, e.getClass().getSimpleName(), millisSince(started));
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            return new DeadLetterReplay.Attempt(true, 0, e.getClass().getSimpleName(), millisSince(started));
        }
    }

    /** Stops the HTTP client and its Vert.x instance. */
    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // nothing is left to send; the process ends soon after
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
