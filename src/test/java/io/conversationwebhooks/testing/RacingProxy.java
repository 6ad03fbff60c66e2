package io.conversationwebhooks.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP proxy in front of the DynamoDB emulator that makes a lost race happen on purpose: before it forwards the
 * first request of a given operation ({@code X-Amz-Target}, e.g. {@code DynamoDB_20120810.UpdateItem}), it runs
 * another operator's change straight against the emulator. Everything else passes through unchanged.
 */
public final class RacingProxy implements AutoCloseable {

    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final URI target;
    private final String operation;
    private final AtomicReference<Runnable> competingChange;

    private RacingProxy(URI target, String operation, Runnable competingChange) throws IOException {
        this.target = target;
        this.operation = operation;
        this.competingChange = new AtomicReference<>(competingChange);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::forward);
        server.start();
    }

    /**
     * @param target the emulator's endpoint
     * @param operation the DynamoDB operation name before which the change is made, e.g. {@code UpdateItem}
     * @param competingChange the other operator's change, run once
     */
    public static RacingProxy start(URI target, String operation, Runnable competingChange) throws IOException {
        return new RacingProxy(target, operation, competingChange);
    }

    /** The endpoint to give the command ({@code QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE}). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Whether the competing change was made. */
    public boolean raced() {
        return competingChange.get() == null;
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (amzTarget != null && amzTarget.endsWith("." + operation)) {
                Runnable change = competingChange.getAndSet(null);
                if (change != null) {
                    change.run();
                }
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                if (!RESTRICTED.contains(header.getKey().toLowerCase())) {
                    header.getValue().forEach(value -> request.header(header.getKey(), value));
                }
            }
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().map().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
