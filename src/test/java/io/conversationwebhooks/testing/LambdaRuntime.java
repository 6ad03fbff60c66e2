package io.conversationwebhooks.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Invokes the function the way Lambda does, through Quarkus' Lambda mock event server: the event is queued there,
 * the function's runtime loop fetches it from the Runtime API ({@code /2018-06-01/runtime/invocation/next}) and
 * posts its response back, which this call returns.
 */
public final class LambdaRuntime {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LambdaRuntime() {
    }

    /** Invokes the function under test with the event JSON and returns its response JSON. */
    public static String invoke(String eventJson) {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.lambda.mock-event-server.test-port", Integer.class)
                .filter(configured -> configured > 0).orElse(8081);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/_lambda_"))
                .timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(eventJson, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new AssertionError("function invocation failed: HTTP " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
