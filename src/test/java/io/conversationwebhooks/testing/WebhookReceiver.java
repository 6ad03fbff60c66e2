package io.conversationwebhooks.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A real HTTP server on a random loopback port that records every request it gets and answers with scripted
 * responses per path (default 204). Used as the webhook subscriber in tests.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received. Header names are lower-cased. */
    public record Received(String method, String path, Map<String, List<String>> headers, byte[] body, Instant at) {

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase());
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A request and the status chosen for its answer (recorded before the answer's delay, if any). */
    public record Answered(Received request, int status) {
    }

    /** A scripted answer: a status, optional headers, and an optional delay before answering. */
    public record Answer(int status, Map<String, String> headers, Duration delay) {
        public static Answer status(int status) {
            return new Answer(status, Map.of(), Duration.ZERO);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new ArrayList<>();
    private final List<Answered> answered = new ArrayList<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.Function<Received, Answer>> rules = new ConcurrentHashMap<>();

    private final String origin;

    private WebhookReceiver(HttpServer server, String origin) {
        this.server = server;
        this.origin = origin;
    }

    /** Starts a receiver on 127.0.0.1 and a free port. */
    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            return serve(server, "http://127.0.0.1:" + server.getAddress().getPort());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start receiver", e);
        }
    }

    /**
     * Starts an HTTPS receiver on 127.0.0.1 and a free port, presenting the certificate of {@code tls}; its URLs name
     * the host {@code localhost}. A client that refuses the certificate completes no request here.
     */
    public static WebhookReceiver startHttps(SSLContext tls) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            return serve(server, "https://localhost:" + server.getAddress().getPort());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start receiver", e);
        }
    }

    private static WebhookReceiver serve(HttpServer server, String origin) {
        WebhookReceiver receiver = new WebhookReceiver(server, origin);
        server.createContext("/", receiver::handle);
        server.setExecutor(receiver.executor);
        server.start();
        return receiver;
    }

    /** {@code http://127.0.0.1:<port><path>}, or {@code https://localhost:<port><path>} for an HTTPS receiver. */
    public String url(String path) {
        return origin + path;
    }

    /** Answers the next requests to the path with these answers, in order; then 204 again. */
    public void script(String path, Answer... answers) {
        scripts.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(answers));
    }

    /** Answers requests to the path with what the rule returns (null: the script or 204), until {@link #reset()}. */
    public void rule(String path, java.util.function.Function<Received, Answer> rule) {
        rules.put(path, rule);
    }

    /** Every request received so far, in arrival order. */
    public synchronized List<Received> requests() {
        return List.copyOf(received);
    }

    /** Requests to one path, in arrival order. */
    public synchronized List<Received> requests(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Requests to one path with the status each was answered with, in arrival order. */
    public synchronized List<Answered> answered(String path) {
        return answered.stream().filter(a -> a.request().path().equals(path)).toList();
    }

    /** Forgets requests and scripts. */
    public synchronized void reset() {
        received.clear();
        answered.clear();
        scripts.clear();
        rules.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
        String path = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        Received request = new Received(exchange.getRequestMethod(), path, headers, body, Instant.now());
        synchronized (this) {
            received.add(request);
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        Deque<Answer> script = scripts.get(rawPath);
        java.util.function.Function<Received, Answer> rule = rules.get(rawPath);
        Answer answer = rule == null ? null : rule.apply(request);
        if (answer == null && script != null) {
            synchronized (script) {
                answer = script.poll();
            }
        }
        answer = Objects.requireNonNullElse(answer, Answer.status(204));
        synchronized (this) {
            answered.add(new Answered(request, answer.status()));
        }
        if (!answer.delay().isZero()) {
            try {
                Thread.sleep(answer.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(answer.status(), -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
