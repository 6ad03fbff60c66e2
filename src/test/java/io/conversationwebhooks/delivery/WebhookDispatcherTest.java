package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/** Retries, deadline and target verdicts of one delivery, over the real HTTP client (VertxWebhookClient). */
@QuarkusTest
class WebhookDispatcherTest {

    @Inject
    DeliveryConfig config;

    @Inject
    Vertx vertx;

    private final AddressGuard guard = new AddressGuard(true, host -> {
        throw new AssertionError("no lookup");
    });
    private WebhookReceiver receiver;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void a_refused_connection_is_retried_then_left_retryable() throws IOException {
        String url;
        try (ServerSocket socket = new ServerSocket(0)) {
            url = "http://127.0.0.1:" + socket.getLocalPort() + "/closed";
        }

        DeliveryOutcome outcome = dispatch(dispatcher(3, Duration.ofMillis(10)), url, Instant.now().plusSeconds(10));

        DeliveryOutcome.Retryable retryable = assertInstanceOf(DeliveryOutcome.Retryable.class, outcome);
        assertEquals(3, retryable.attempts());
        assertEquals(0, retryable.status());
        assertTrue(retryable.reason().toLowerCase().contains("connection refused"), retryable.reason());
    }

    @Test
    void an_unresolved_host_sends_nothing_and_fails_the_record() {
        DeliveryOutcome outcome = dispatcher(3, Duration.ofMillis(10))
                .dispatch(request(receiver.url("/hook")), new TargetCheck.Unresolved("host does not resolve"),
                        Instant.now().plusSeconds(10))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals(new DeliveryOutcome.Retryable(0, "host does not resolve", 0), outcome);
        assertTrue(outcome.failsRecord());
        assertEquals(List.of(), receiver.requests());
    }

    @Test
    void a_refused_target_is_rejected_without_a_request_and_does_not_fail_the_record() {
        DeliveryOutcome outcome = dispatcher(3, Duration.ofMillis(10))
                .dispatch(request(receiver.url("/hook")), new TargetCheck.Refused("malformed URL"),
                        Instant.now().plusSeconds(10))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals(new DeliveryOutcome.Rejected("malformed URL"), outcome);
        assertTrue(!outcome.failsRecord());
        assertEquals(List.of(), receiver.requests());
    }

    @Test
    void no_attempt_starts_after_the_deadline() {
        DeliveryOutcome outcome = dispatch(dispatcher(3, Duration.ofMillis(10)), receiver.url("/hook"),
                Instant.now().minusMillis(1));

        assertEquals(new DeliveryOutcome.DeadlineReached(0, "invocation deadline reached"), outcome);
        assertTrue(outcome.failsRecord());
        assertEquals(List.of(), receiver.requests());
    }

    @Test
    void an_attempt_cut_short_by_the_deadline_is_the_deadline_s_doing_not_the_subscriber_s() {
        // given: the receiver answers after 2 s, the attempt timeout is 3 s, 500 ms are left
        receiver.script("/hook", new Answer(200, java.util.Map.of(), Duration.ofSeconds(2)));

        DeliveryOutcome outcome = dispatch(dispatcher(3, Duration.ofMillis(10)), receiver.url("/hook"),
                Instant.now().plusMillis(500));

        DeliveryOutcome.DeadlineReached reached = assertInstanceOf(DeliveryOutcome.DeadlineReached.class, outcome);
        assertEquals(1, reached.attempts());
        assertTrue(reached.reason().startsWith("attempt cut short by the invocation deadline"), reached.reason());
        assertTrue(outcome.failsRecord());
        assertEquals(1, receiver.requests().size());
    }

    @Test
    void no_retry_is_scheduled_past_the_deadline() {
        // given: the receiver always answers 503, the backoff (5-10 s) is longer than the time left (4 s), which
        // leaves the one attempt ample time even on a loaded machine
        receiver.rule("/hook", request -> Answer.status(503));

        DeliveryOutcome outcome = dispatch(dispatcher(5, Duration.ofSeconds(10)), receiver.url("/hook"),
                Instant.now().plusSeconds(4));

        assertEquals(new DeliveryOutcome.Retryable(503, "HTTP 503", 1), outcome);
        assertEquals(1, receiver.requests().size());
    }

    @Test
    void client_errors_fail_at_once_and_successes_report_their_status() {
        receiver.script("/hook", Answer.status(404), Answer.status(201));
        WebhookDispatcher dispatcher = dispatcher(3, Duration.ofMillis(10));

        DeliveryOutcome first = dispatch(dispatcher, receiver.url("/hook"), Instant.now().plusSeconds(10));
        DeliveryOutcome second = dispatch(dispatcher, receiver.url("/hook"), Instant.now().plusSeconds(10));

        assertEquals(new DeliveryOutcome.Failed(404, 1), first);
        DeliveryOutcome.Delivered delivered = assertInstanceOf(DeliveryOutcome.Delivered.class, second);
        assertEquals(201, delivered.status());
        assertEquals(1, delivered.attempts());
        assertEquals(2, receiver.requests().size());
    }

    @Test
    void the_subscriber_receives_the_signed_request_as_built() {
        // given
        receiver.script("/hook", Answer.status(204));
        Instant before = Instant.now();

        // when
        dispatch(dispatcher(1, Duration.ofMillis(10)), receiver.url("/hook"), Instant.now().plusSeconds(10));

        // then: every header of SignedRequest with the value it signed for the attempt's timestamp
        WebhookReceiver.Received received = receiver.requests("/hook").get(0);
        long timestamp = Long.parseLong(received.header("webhook-timestamp"));
        assertTrue(timestamp >= before.getEpochSecond() && timestamp <= Instant.now().getEpochSecond(), "timestamp " + timestamp);
        SignedRequest expected = SignedRequest.sign(request(receiver.url("/hook")), Instant.ofEpochSecond(timestamp));
        expected.headers().forEach((name, value) -> assertEquals(value, received.header(name), name));
        assertEquals("application/json; charset=utf-8", received.header("Content-Type"));
        assertEquals("conversation-webhooks", received.header("User-Agent"));
        assertEquals("{\"id\":1}", received.bodyText());
    }

    private WebhookDispatcher dispatcher(int attempts, Duration backoff) {
        return new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(attempts, backoff, backoff, RetryPolicy.THREAD_LOCAL_RANDOM), Duration.ofSeconds(3),
                Clock.systemUTC());
    }

    private DeliveryOutcome dispatch(WebhookDispatcher dispatcher, String url, Instant deadline) {
        return dispatcher.dispatch(request(url), guard.check(url), deadline).await().atMost(Duration.ofSeconds(20));
    }

    private static WebhookRequest request(String url) {
        Subscription subscription = new Subscription("test", url, Set.of(), Set.of(), WebhookSecret.of("secret"), true);
        return new WebhookRequest("msg_00000000000000000000000000000001", ConversationEvent.STATUS, subscription,
                "{\"id\":1}".getBytes(StandardCharsets.UTF_8));
    }
}
