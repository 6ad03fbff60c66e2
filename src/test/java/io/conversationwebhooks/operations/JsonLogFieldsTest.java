package io.conversationwebhooks.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.RetryPolicy;
import io.conversationwebhooks.delivery.WebhookClientProducer;
import io.conversationwebhooks.delivery.WebhookDispatcher;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * The ids of a delivery as fields of its JSON log lines (CONTRACT section 8): a failed delivery over the real HTTP
 * client to a real receiver, its outcome line formatted by {@link JsonLogs#formatter()} as in Lambda.
 */
@QuarkusTest
class JsonLogFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cret-that-never-reaches-a-log";
    private static final String HEADER_VALUE = "Bearer header-value-never-logged";

    @Inject
    DeliveryConfig config;

    @Inject
    Vertx vertx;

    private final AddressGuard guard = new AddressGuard(true, host -> {
        throw new AssertionError("no lookup");
    });
    private final List<String> lines = new ArrayList<>();
    private JsonFormatter formatter;
    private final Handler json = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName().equals(WebhookDispatcher.class.getName())) {
                synchronized (lines) {
                    lines.add(formatter.format((ExtLogRecord) record));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private WebhookReceiver receiver;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
        // JBoss LogManager and its JSON provider are on the system class path, outside Quarkus' test class loader
        Thread thread = Thread.currentThread();
        ClassLoader test = thread.getContextClassLoader();
        thread.setContextClassLoader(JsonFormatter.class.getClassLoader());
        try {
            formatter = JsonLogs.formatter();
        } finally {
            thread.setContextClassLoader(test);
        }
        Logger.getLogger("").addHandler(json);
    }

    @AfterEach
    void stop() {
        Logger.getLogger("").removeHandler(json);
        receiver.close();
    }

    @Test
    void a_failed_delivery_s_json_line_carries_the_conversation_subscription_and_webhook_id_and_no_secret()
            throws Exception {
        // given: a subscriber answering 500, with a secret and a static header
        receiver.script("/hook", Answer.status(500));
        Subscription subscription = new Subscription("crm", receiver.url("/hook"), Set.of(), Set.of(),
                WebhookSecret.of(SECRET), List.of(), Map.of("Authorization", HEADER_VALUE), true);
        WebhookRequest request = new WebhookRequest("msg_00000000000000000000000000000042", "4711",
                ConversationEvent.STATUS, subscription, "{\"id\":4711}".getBytes(StandardCharsets.UTF_8));
        WebhookDispatcher dispatcher = new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(3), Clock.systemUTC());

        // when
        DeliveryOutcome outcome = dispatcher.dispatch(request, guard.check(request.subscription().url()),
                Instant.now().plusSeconds(10)).await().atMost(Duration.ofSeconds(20));

        // then
        assertFalse(outcome instanceof DeliveryOutcome.Delivered, outcome.toString());
        List<String> written;
        synchronized (lines) {
            written = List.copyOf(lines);
        }
        assertEquals(1, written.size(), "one outcome line: " + written);
        String line = written.get(0);
        JsonNode logged = JSON.readTree(line);
        assertEquals("WARN", logged.get("level").asText());
        assertEquals("4711", logged.at("/mdc/conversationId").asText(), line);
        assertEquals("crm", logged.at("/mdc/subscriptionId").asText());
        assertEquals("msg_00000000000000000000000000000042", logged.at("/mdc/webhookId").asText());
        WebhookReceiver.Received received = receiver.requests("/hook").get(0);
        for (String secret : List.of(SECRET, HEADER_VALUE, received.header("webhook-signature"),
                received.header("X-FreeScout-Signature"))) {
            assertFalse(line.contains(secret), "no secret, signature or header value: " + line);
        }
    }
}
