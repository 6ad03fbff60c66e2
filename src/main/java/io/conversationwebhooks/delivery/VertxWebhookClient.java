package io.conversationwebhooks.delivery;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * {@link WebhookClient} on Vert.x's HTTP client (HTTP/1.1), so that the outcome of an attempt is its final status line
 * and nothing else (CONTRACT section 6):
 * <ul>
 * <li>Interim responses (1xx other than 101) are skipped, whatever their code (RFC 9110 section 15.2): Vert.x 4.5
 * skips only 100 and 103 and would take a {@code 102 Processing} as final, so {@link InterimResponses} drops them from
 * each connection's pipeline first. A status line followed by the connection closing, before the header section
 * ended, is that status. A {@code 101 Switching Protocols}, never asked for, is a final status whose connection is
 * closed at once: what follows it is not HTTP/1.1.</li>
 * <li>The body decides nothing and is never kept: after the final status line, at most {@link #BODY_PREFIX_BYTES}
 * bytes of it are read, for at most {@link #BODY_READ_TIME} and never past the attempt's timeout, each buffer dropped
 * as it arrives. A body that ends within both bounds leaves the connection kept alive for the next request; any other
 * (larger, slower, endless, cut short by the receiver) has its connection closed. So a slow, endless or huge body
 * neither fails a delivered request nor costs memory beyond Netty's read buffers.</li>
 * <li>Every connection's peer address passes {@link AddressGuard#verifyConnected} before a byte of the request is
 * sent; a refused one fails the attempt with {@link RefusedPeerException}, the request unsent. Redirects are never
 * followed; the connect timeout and keep-alive connections pooled per host and port come from the constructor, the
 * attempt timeout from {@link #post} (it also bounds the wait for a pooled connection).</li>
 * </ul>
 * Response decompression is off, so a compressed body cannot grow past what is read. Thread-safe.
 */
public final class VertxWebhookClient implements WebhookClient {

    /** Most bytes of a response body read (and dropped) before the connection is closed instead. */
    public static final int BODY_PREFIX_BYTES = 64 * 1024;
    /** Longest time spent reading a response body after its status line before the connection is closed instead. */
    public static final Duration BODY_READ_TIME = Duration.ofSeconds(1);

    private static final String USER_AGENT = "conversation-webhooks";

    private final Vertx vertx;
    private final HttpClient http;
    private final AddressGuard guard;

    /**
     * @param vertx the Vert.x instance whose event loops run the exchanges (Quarkus' own in the functions)
     * @param connectTimeout time allowed to open the TCP (and TLS) connection
     * @param maxConnectionsPerHost connections kept per host and port, reused across requests
     * @param guard checks each connection's peer address before the request is sent
     */
    public VertxWebhookClient(Vertx vertx, Duration connectTimeout, int maxConnectionsPerHost, AddressGuard guard) {
        this.vertx = vertx;
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setName("webhooks")
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(maxConnectionsPerHost)
                .setTryUseCompression(false)
                .setVerifyHost(true));
        this.guard = guard;
    }

    @Override
    public Uni<WebhookResponse> post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
        return Uni.createFrom().emitter(emitter -> new Exchange(emitter, timeout).start(uri, headers, body));
    }

    /** Closes the HTTP client (not the Vert.x instance). */
    public void close() {
        http.close();
    }

    /** One request and its response; ends exactly once, by an item, a failure or the subscriber's cancellation. */
    private final class Exchange {

        private final UniEmitter<? super WebhookResponse> emitter;
        private final long timeoutMillis;
        private final long started = System.nanoTime();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        private volatile long timer = -1;
        /** Body bytes read so far; touched on the connection's event loop only. */
        private long bodyBytesRead;

        Exchange(UniEmitter<? super WebhookResponse> emitter, Duration timeout) {
            this.emitter = emitter;
            this.timeoutMillis = Math.max(1, timeout.toMillis());
        }

        void start(URI uri, Map<String, String> headers, byte[] body) {
            emitter.onTermination(() -> {
                if (ended.compareAndSet(false, true)) {
                    // cancelled by the subscriber (e.g. the invocation gave up): nothing more may reach the receiver
                    abort();
                }
            });
            timer = vertx.setTimer(timeoutMillis, id -> fail(timedOut()));
            // A request waiting for a pooled connection gives up with the attempt, not when a connection frees.
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri.toString())
                    .setFollowRedirects(false).setConnectTimeout(timeoutMillis);
            headers.forEach(options::putHeader);
            options.putHeader("User-Agent", USER_AGENT);
            if (ended.get()) {
                return;
            }
            http.request(options).onComplete(created -> {
                if (created.failed()) {
                    fail(created.cause() instanceof TimeoutException ? timedOut() : created.cause());
                    return;
                }
                HttpClientRequest sending = created.result();
                request.set(sending);
                if (ended.get()) {
                    sending.reset();
                    return;
                }
                try {
                    // failures reach the response future below; none is left for Vert.x to log
                    sending.exceptionHandler(ignored -> { });
                    InterimResponses.install(sending.connection());
                    Optional<String> refused = guard.verifyConnected(sending);
                    if (refused.isPresent()) {
                        fail(new RefusedPeerException(refused.get()));
                        return;
                    }
                    sending.send(Buffer.buffer(body)).onComplete(answered -> {
                        if (answered.failed()) {
                            fail(answered.cause());
                        } else {
                            status(answered.result());
                        }
                    });
                } catch (RuntimeException e) {
                    // e.g. a pooled connection closed meanwhile: its pipeline has no Vert.x handler to install before
                    fail(e);
                }
            });
        }

        private TimeoutException timedOut() {
            return new TimeoutException("no response within " + timeoutMillis + " ms");
        }

        /** The final status line arrived: it is the outcome; the body is read within its bounds, then dropped. */
        private void status(HttpClientResponse response) {
            vertx.cancelTimer(timer);
            long elapsed = millisSinceStart();
            WebhookResponse result = new WebhookResponse(response.statusCode(),
                    Optional.ofNullable(response.getHeader("Retry-After")), elapsed);
            if (response.statusCode() == 101) {
                // No protocol switch was asked for: whatever follows is not HTTP/1.1, so the connection must not serve
                // another request (Netty's decoder has stopped decoding it).
                cut(result);
                response.request().connection().close();
                return;
            }
            long bodyMillis = Math.max(1, Math.min(BODY_READ_TIME.toMillis(), timeoutMillis - elapsed));
            timer = vertx.setTimer(bodyMillis, id -> cut(result));
            response.handler(buffer -> {
                bodyBytesRead += buffer.length();
                if (bodyBytesRead > BODY_PREFIX_BYTES) {
                    cut(result);
                }
            });
            response.exceptionHandler(failure -> succeed(result));
            response.endHandler(ignored -> succeed(result));
        }

        /** Stops reading a body past its bounds: the connection is closed, never reused. */
        private void cut(WebhookResponse result) {
            if (ended.compareAndSet(false, true)) {
                abort();
                emitter.complete(result);
            }
        }

        private void succeed(WebhookResponse result) {
            if (ended.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                emitter.complete(result);
            }
        }

        private void fail(Throwable failure) {
            if (ended.compareAndSet(false, true)) {
                abort();
                emitter.fail(failure);
            }
        }

        private void abort() {
            vertx.cancelTimer(timer);
            HttpClientRequest sending = request.get();
            if (sending != null) {
                sending.reset();
            }
        }

        private long millisSinceStart() {
            return (System.nanoTime() - started) / 1_000_000;
        }
    }
}
