package io.conversationwebhooks.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP/1.1 reverse proxy on a free loopback port in front of an emulator endpoint (moto_server, LocalStack) that
 * forwards every request and counts them by AWS operation, so that tests and benchmarks can count the DynamoDB and SQS
 * requests a piece of code makes instead of estimating them.
 *
 * <p>The operation of a request is read, in this order, from
 * <ul>
 * <li>the {@code X-Amz-Target} header of the AWS JSON protocols, the part after the last dot:
 * {@code DynamoDB_20120810.BatchGetItem} counts as {@code BatchGetItem}, {@code AmazonSQS.SendMessage} as
 * {@code SendMessage} (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html">DynamoDB
 * low-level API</a>, <a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html">SQS
 * AWS JSON protocol</a>);</li>
 * <li>otherwise the {@code Action} parameter of the AWS query protocol, in an
 * {@code application/x-www-form-urlencoded} body or in the query string (SNS, SQS query protocol);</li>
 * <li>otherwise {@code unknown}.</li>
 * </ul>
 *
 * <p>Forwarding: method, path and query, headers and body pass unchanged, except the hop-by-hop and framing headers the
 * JDK's HTTP client sets itself ({@code Host} names the target, a chunked body arrives with a {@code Content-Length});
 * the emulators do not verify Signature Version 4, so the signature still made for the proxy's host does not matter.
 * Client connections are kept alive and served concurrently (one pooled thread per request in flight); the upstream
 * side is one {@link HttpClient} with its keep-alive connection pool. A request the target does not answer becomes
 * a {@code 502} to the client (and still counts).
 */
public final class CountingProxy implements AutoCloseable {

    /** Headers the JDK HTTP client refuses or sets itself, plus hop-by-hop headers (RFC 9110 section 7.6.1). */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

    /** The count of requests whose operation could not be read. */
    public static final String UNKNOWN = "unknown";

    private final HttpServer server;
    private final ExecutorService workers;
    private final HttpClient client;
    private final URI target;
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    private CountingProxy(URI target) throws IOException {
        this.target = target;
        AtomicInteger threads = new AtomicInteger();
        workers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "counting-proxy-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).executor(workers).build();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", this::forward);
        server.setExecutor(workers);
        server.start();
    }

    /**
     * Starts a proxy in front of {@code target}.
     *
     * @param target the endpoint to forward to, e.g. {@link DynamoDbEmulator#endpoint()}; its path is ignored
     * @return the running proxy; give {@link #endpoint()} to the code under test
     * @throws UncheckedIOException when no loopback port can be bound
     */
    public static CountingProxy start(URI target) {
        try {
            return new CountingProxy(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port for the counting proxy", e);
        }
    }

    /** The proxy's endpoint, {@code http://127.0.0.1:<port>}, to use as the SDK's endpoint override. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * @param operation an operation name as AWS spells it, e.g. {@code BatchGetItem}, {@code SendMessage}, or
     *        {@link #UNKNOWN}
     * @return the number of requests of that operation received since the start or the last {@link #reset()}
     */
    public long count(String operation) {
        LongAdder count = counts.get(operation);
        return count == null ? 0 : count.sum();
    }

    /** The number of requests of all operations received since the start or the last {@link #reset()}. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** A snapshot of the counts, by operation name in ascending order; operations without requests are absent. */
    public Map<String, Long> counts() {
        SortedMap<String, Long> snapshot = new TreeMap<>();
        counts.forEach((operation, count) -> {
            long value = count.sum();
            if (value > 0) {
                snapshot.put(operation, value);
            }
        });
        return snapshot;
    }

    /** Sets every count to zero; requests in flight may count before or after. */
    public void reset() {
        counts.values().forEach(LongAdder::reset);
    }

    /** Stops listening and ends the forwarding threads; requests in flight are cut. */
    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            counts.computeIfAbsent(operation(exchange, body), name -> new LongAdder()).increment();
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                if (!NOT_FORWARDED.contains(header.getKey().toLowerCase())) {
                    header.getValue().forEach(value -> request.header(header.getKey(), value));
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            boolean noBody = response.body().length == 0 || exchange.getRequestMethod().equalsIgnoreCase("HEAD");
            exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : response.body().length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding", e);
        }
    }

    /** The operation of one request: {@code X-Amz-Target}, else the query protocol's {@code Action}, else unknown. */
    static String operation(HttpExchange exchange, byte[] body) {
        String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (amzTarget != null && !amzTarget.isBlank()) {
            return amzTarget.substring(amzTarget.lastIndexOf('.') + 1).trim();
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null && contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            String action = action(new String(body, StandardCharsets.UTF_8));
            if (action != null) {
                return action;
            }
        }
        String action = action(exchange.getRequestURI().getRawQuery());
        return action == null ? UNKNOWN : action;
    }

    /** The {@code Action} parameter of a form-encoded string, or null. */
    private static String action(String form) {
        if (form == null) {
            return null;
        }
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals("Action")) {
                String value = URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                return value.isBlank() ? null : value;
            }
        }
        return null;
    }
}
