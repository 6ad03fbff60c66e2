package io.conversationwebhooks.replay;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.TargetCheck;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.delivery.WebhookSigner;
import io.conversationwebhooks.subscription.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * {@link DeadLetterReplay.Sender} for the replay command: the request of CONTRACT section 6 (same headers and
 * signatures as the function sends), redirects never followed, and the address guard applied the way the functions
 * apply it (README, "Address guard"): {@link AddressGuard#check} judges the URL's host first, and
 * {@link AddressGuard#verifyConnected} judges the address the connection actually reached before a byte of the
 * request is sent, so a DNS answer that changes in between (DNS rebinding) cannot reach a private address.
 *
 * <p>Vert.x's HTTP client, not the JDK's: the JDK client resolves the host again by itself and does not show the
 * connection's peer address, so it could not be checked. One Vert.x instance per sender; {@link #close()} stops it.
 */
public final class HttpSender implements DeadLetterReplay.Sender, AutoCloseable {

    private final Vertx vertx;
    private final HttpClient http;
    private final AddressGuard guard;
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
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) connectTimeout.toMillis())
                .setKeepAlive(false).setVerifyHost(true));
        this.guard = guard;
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
        long timestamp = clock.instant().getEpochSecond();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri.toString())
                .setFollowRedirects(false).setTimeout(timeout.toMillis())
                .putHeader("Content-Type", WebhookClient.CONTENT_TYPE)
                .putHeader(WebhookClient.EVENT, event.eventName())
                .putHeader(WebhookClient.FREESCOUT_SIGNATURE, WebhookSigner.freeScoutSignature(subscription.secret(), body))
                .putHeader(WebhookClient.WEBHOOK_ID, webhookId)
                .putHeader(WebhookClient.WEBHOOK_TIMESTAMP, Long.toString(timestamp))
                .putHeader(WebhookClient.WEBHOOK_SIGNATURE,
                        WebhookSigner.standardSignature(subscription.secret(), webhookId, timestamp, body))
                .putHeader("User-Agent", "conversation-webhooks");
        long started = System.nanoTime();
        // Once send has given up and the attempt counts as failed, the request must not go on and reach the
        // subscriber: whichever of the two sides comes second resets it.
        AtomicReference<HttpClientRequest> pending = new AtomicReference<>();
        AtomicBoolean givenUp = new AtomicBoolean();
        Future<Integer> status = http.request(options).compose(request -> {
            // failures reach the status future (or the guard's reason below); none is left for Vert.x to log
            request.exceptionHandler(failure -> { });
            pending.set(request);
            if (givenUp.get()) {
                request.reset();
                return Future.failedFuture(new TimeoutException("given up before the connection was made"));
            }
            guard.verifyConnected(request);
            Optional<String> refused = guard.refusedConnection(uri);
            if (refused.isPresent()) {
                return Future.failedFuture(new RefusedPeer(refused.get()));
            }
            return request.send(Buffer.buffer(body)).map(HttpClientResponse::statusCode);
        });
        try {
            int code = status.toCompletionStage().toCompletableFuture().get(giveUpAfter.toMillis(), TimeUnit.MILLISECONDS);
            return new DeadLetterReplay.Attempt(true, code, code >= 200 && code < 300 ? null : "HTTP " + code,
                    millisSince(started));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RefusedPeer refused) {
                return new DeadLetterReplay.Attempt(false, 0, "not sent: " + refused.getMessage(), millisSince(started));
            }
            return new DeadLetterReplay.Attempt(true, 0, e.getCause().getClass().getSimpleName(), millisSince(started));
        } catch (TimeoutException e) {
            giveUp(givenUp, pending);
            return new DeadLetterReplay.Attempt(true, 0, "TimeoutException", millisSince(started));
        } catch (InterruptedException e) {
            giveUp(givenUp, pending);
            Thread.currentThread().interrupt();
            return new DeadLetterReplay.Attempt(true, 0, "interrupted", 0);
        }
    }

    /** Resets the request if it exists yet; if not, the request callback resets it when it does. */
    private static void giveUp(AtomicBoolean givenUp, AtomicReference<HttpClientRequest> pending) {
        givenUp.set(true);
        HttpClientRequest request = pending.get();
        if (request != null) {
            request.reset();
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

    /** The connection reached an address the guard refuses; its message names the address range, never a secret. */
    private static final class RefusedPeer extends RuntimeException {
        RefusedPeer(String reason) {
            super(reason, null, false, false);
        }
    }
}
