package io.conversationwebhooks.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Webhook subscribers for the benchmark: one non-blocking Vert.x HTTP server per subscriber, each on its own loopback
 * port (so the function keeps one connection pool per subscriber, as with real distinct hosts). Every request is read
 * fully and answered {@code 204} after the configured latency, from a timer: no thread waits, so the receivers are not
 * what limits concurrency. They count requests, connections opened, the most requests in flight at once, and
 * requests missing a signature header.
 */
public final class LoopbackReceivers implements AutoCloseable {

    private final Vertx vertx;
    private final List<HttpServer> servers;
    private final LongAdder requests = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder unsigned = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private LoopbackReceivers(Vertx vertx, List<HttpServer> servers) {
        this.vertx = vertx;
        this.servers = servers;
    }

    /**
     * Starts {@code count} receivers on {@code 127.0.0.1}, free ports.
     *
     * @param latency time between the end of a request and its response
     * @param eventLoops Vert.x event-loop threads serving all receivers
     */
    public static LoopbackReceivers start(int count, Duration latency, int eventLoops) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        List<HttpServer> servers = new ArrayList<>();
        LoopbackReceivers receivers = new LoopbackReceivers(vertx, servers);
        long delay = latency.toMillis();
        try {
            for (int i = 0; i < count; i++) {
                HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                        .setAcceptBacklog(4096));
                server.connectionHandler(connection -> receivers.connections.increment());
                server.requestHandler(request -> receivers.handle(request, delay));
                servers.add(server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot start receivers", e);
        }
        return receivers;
    }

    private void handle(HttpServerRequest request, long delayMillis) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        if (request.getHeader("webhook-signature") == null && !request.path().equals("/self-check")) {
            unsigned.increment();
        }
        request.end().onComplete(read -> {
            Runnable respond = () -> {
                inFlight.decrementAndGet();
                requests.increment();
                request.response().setStatusCode(204).end();
            };
            if (delayMillis <= 0) {
                respond.run();
            } else {
                vertx.setTimer(delayMillis, timer -> respond.run());
            }
        });
    }

    /** {@code http://127.0.0.1:<port>/webhook} of each receiver. */
    public List<String> urls() {
        return servers.stream().map(server -> "http://127.0.0.1:" + server.actualPort() + "/webhook").toList();
    }

    /** Requests answered since the last reset. */
    public long requests() {
        return requests.sum();
    }

    /** Connections accepted since the last reset. */
    public long connections() {
        return connections.sum();
    }

    /** The most requests in flight at once (all receivers together) since the last reset. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** Webhook requests without a {@code webhook-signature} header since the last reset. */
    public long unsigned() {
        return unsigned.sum();
    }

    /** Zeroes the counters. */
    public void reset() {
        requests.reset();
        connections.reset();
        unsigned.reset();
        maxInFlight.set(inFlight.get());
    }

    /**
     * Checks that the receivers themselves sustain a load: sends {@code total} 2 KB POSTs spread over all receivers
     * with {@code concurrency} in flight, from a separate Vert.x client in this JVM with keep-alive pools, and returns
     * the wall time. Its ideal is {@code ceil(total / concurrency)} times the latency.
     */
    public Duration selfCheck(int total, int concurrency, Duration timeout) {
        Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            int perHost = Math.max(1, (concurrency + servers.size() - 1) / servers.size());
            HttpClient client = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                    .setMaxPoolSize(perHost).setMaxWaitQueueSize(-1));
            Buffer body = Buffer.buffer(new byte[2048]);
            AtomicLong sent = new AtomicLong();
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            CompletableFuture<Void> finished = new CompletableFuture<>();
            long started = System.nanoTime();
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                long n = sent.getAndIncrement();
                if (n >= total) {
                    return;
                }
                HttpServer server = servers.get((int) (n % servers.size()));
                client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/self-check")
                        .compose(request -> request.send(body)).compose(response -> response.body())
                        .onComplete(result -> {
                            if (result.failed()) {
                                failures.incrementAndGet();
                            }
                            if (done.incrementAndGet() == total) {
                                finished.complete(null);
                            } else {
                                next[0].run();
                            }
                        });
            };
            clientVertx.runOnContext(ignored -> {
                for (int i = 0; i < Math.min(concurrency, total); i++) {
                    next[0].run();
                }
            });
            finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (failures.get() > 0) {
                throw new IllegalStateException(failures.get() + " self-check requests failed");
            }
            return Duration.ofNanos(System.nanoTime() - started);
        } catch (Exception e) {
            throw new IllegalStateException("receiver self-check failed", e);
        } finally {
            clientVertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
