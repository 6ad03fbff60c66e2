package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.RawReceiver;
import io.conversationwebhooks.testing.RawReceiver.Responder;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * How a receiver's response is read (CONTRACT section 6), against a raw socket receiver: the final status line decides,
 * interim 1xx responses are skipped, and the body, whatever it does, is read at most up to a bound and then dropped.
 * Attempts time out after 3 s, the inline retries are 3, so a body that held the attempt past its timeout would show
 * as 3 requests and a retryable outcome.
 */
@QuarkusTest
class ReceiverResponseTest {

    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);
    private static final String OK_EMPTY = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    @Inject
    DeliveryConfig config;

    @Inject
    Vertx vertx;

    private final AddressGuard guard = new AddressGuard(true, host -> {
        throw new AssertionError("no lookup");
    });
    private RawReceiver receiver;

    @BeforeEach
    void start() {
        receiver = RawReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    static Stream<Arguments> finalStatusAfterInterimResponses() {
        Duration pause = Duration.ofMillis(50);
        return Stream.of(
                Arguments.of("102 Processing, 50 ms later 200 OK empty", RawReceiver.interimThen(pause, OK_EMPTY,
                        "HTTP/1.1 102 Processing"), 200),
                Arguments.of("100 Continue unasked, then 201", RawReceiver.interimThen(pause,
                        "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", "HTTP/1.1 100 Continue"), 201),
                Arguments.of("103 Early Hints with a header, then 204", RawReceiver.interimThen(pause,
                        "HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload"),
                        204),
                Arguments.of("an unassigned 1xx (199), then 200", RawReceiver.interimThen(pause, OK_EMPTY,
                        "HTTP/1.1 199 Whatever"), 200),
                Arguments.of("several: 102, 102, 103, 100, then 202", RawReceiver.interimThen(pause,
                        "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 102 Processing",
                        "HTTP/1.1 102 Processing", "HTTP/1.1 103 Early Hints", "HTTP/1.1 100 Continue"), 202),
                Arguments.of("102, then 410 Gone", RawReceiver.interimThen(pause,
                        "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 102 Processing"), 410),
                Arguments.of("102, then 503", RawReceiver.interimThen(pause,
                        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 102 Processing"),
                        503));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("finalStatusAfterInterimResponses")
    void the_final_status_line_decides_and_interim_responses_are_skipped(String name, Responder answer,
            int finalStatus) {
        // given
        receiver.script(answer, answer, answer);

        // when
        DeliveryOutcome outcome = dispatch();

        // then
        if (finalStatus / 100 == 2) {
            DeliveryOutcome.Delivered delivered = assertInstanceOf(DeliveryOutcome.Delivered.class, outcome);
            assertEquals(finalStatus, delivered.status());
            assertEquals(1, delivered.attempts());
            assertEquals(1, receiver.requests().size());
        } else if (finalStatus == 410) {
            assertEquals(new DeliveryOutcome.Gone(1), outcome);
            assertEquals(1, receiver.requests().size());
        } else {
            assertEquals(new DeliveryOutcome.Retryable(finalStatus, "HTTP " + finalStatus, 3), outcome);
            assertEquals(3, receiver.requests().size());
        }
    }

    static Stream<Arguments> bodiesThatDecideNothing() {
        return Stream.of(
                Arguments.of("200 chunked, an 11-byte chunk every 250 ms for 8 s",
                        RawReceiver.chunkedTrickle(11, Duration.ofMillis(250), Duration.ofSeconds(8))),
                Arguments.of("200 chunked, 600 MiB", RawReceiver.chunkedBody(600L * 1024 * 1024)),
                Arguments.of("200 with a body that never ends (chunked, one chunk, then silence)",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                                Duration.ofSeconds(30))),
                Arguments.of("200 with Content-Length 1000 and 10 bytes sent, then silence",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789",
                                Duration.ofSeconds(30))),
                Arguments.of("200 with Content-Length 1000 and 10 bytes sent, then closed",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789", Duration.ZERO)),
                Arguments.of("200 status line, then the connection closed",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\n", Duration.ZERO)),
                Arguments.of("200 status line and a header, then the connection closed",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", Duration.ZERO)),
                Arguments.of("200 head, then the connection closed before any body",
                        RawReceiver.raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", Duration.ZERO)),
                Arguments.of("102, then 200 with a body that never ends", RawReceiver.interimThen(Duration.ofMillis(50),
                        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "HTTP/1.1 102 Processing")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesThatDecideNothing")
    void a_body_that_is_slow_endless_huge_or_cut_neither_fails_a_delivery_nor_is_read_past_its_bound(String name,
            Responder answer) {
        // given
        receiver.script(answer, answer, answer);

        // when
        DeliveryOutcome outcome = dispatch();

        // then
        DeliveryOutcome.Delivered delivered = assertInstanceOf(DeliveryOutcome.Delivered.class, outcome, name);
        assertEquals(200, delivered.status());
        assertEquals(1, delivered.attempts());
        assertEquals(1, receiver.requests().size(), "the receiver got the webhook once");
        // Loopback socket buffers hold a few MiB; the client itself reads at most 64 KiB of a body.
        assertTrue(receiver.bodyBytesWritten() < 32L * 1024 * 1024,
                "body bytes the receiver could write: " + receiver.bodyBytesWritten());
    }

    @Test
    void a_101_without_an_upgrade_asked_for_is_a_final_status_and_a_failure() {
        // given
        Responder answer = RawReceiver.raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade"
                + "\r\n\r\n", Duration.ZERO);
        receiver.script(answer);

        // when
        DeliveryOutcome outcome = dispatch();

        // then
        assertEquals(new DeliveryOutcome.Failed(101, 1), outcome);
    }

    @Test
    void a_101_closes_its_connection_so_the_next_request_to_the_host_is_delivered() {
        // given: a 101 on a connection the receiver keeps open, then an ordinary 204 for whatever comes next
        receiver.script(RawReceiver.raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
                + "\r\n", Duration.ofSeconds(30)));
        WebhookDispatcher dispatcher = dispatcher(3);
        assertEquals(new DeliveryOutcome.Failed(101, 1), dispatch(dispatcher));

        // when: the next request to the same host and port, through the same connection pool
        DeliveryOutcome next = dispatch(dispatcher);

        // then: sent on a new connection, not on the one that switched away from HTTP/1.1
        DeliveryOutcome.Delivered delivered = assertInstanceOf(DeliveryOutcome.Delivered.class, next);
        assertEquals(204, delivered.status());
        assertEquals(1, delivered.attempts());
        assertEquals(2, receiver.requests().size());
    }

    @Test
    void a_failure_while_the_request_is_prepared_on_its_connection_fails_the_attempt_at_once() {
        // given: a null body, which fails once the connection is there, as a pooled connection closed in the meantime
        // does (Netty's pipeline has lost Vert.x's handler); neither can be staged otherwise
        VertxWebhookClient client = new VertxWebhookClient(vertx, Duration.ofSeconds(2), 1, guard);
        try {
            // when
            Throwable failure = assertThrows(RuntimeException.class, () -> client.post(
                    URI.create(receiver.url("/hook")), Map.of(), null, Duration.ofSeconds(20))
                    .await().atMost(Duration.ofSeconds(30)));

            // then: that failure, not a timeout after the attempt's 20 s
            assertInstanceOf(NullPointerException.class, failure);
            assertEquals(List.of(), receiver.requests());
        } finally {
            client.close();
        }
    }

    @Test
    void a_refused_peer_fails_the_attempt_with_its_reason_and_nothing_is_sent() throws Exception {
        // given: private networks not allowed, and the receiver on loopback
        AddressGuard refusing = new AddressGuard(false, host -> {
            throw new AssertionError("no lookup: the connected peer is checked");
        });
        VertxWebhookClient client = new VertxWebhookClient(vertx, Duration.ofSeconds(2), 1, refusing);
        try {
            // when
            RefusedPeerException refused = assertThrows(RefusedPeerException.class, () -> client.post(
                    URI.create(receiver.url("/hook")), Map.of(), new byte[] { '{', '}' }, Duration.ofSeconds(5))
                    .await().atMost(Duration.ofSeconds(10)));

            // then
            assertEquals("connected to a loopback address 127.0.0.1 (set WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS=true,"
                    + " or list its range in WEBHOOKS_DELIVERY_ALLOWED_NETWORKS, to allow)", refused.reason());
            Thread.sleep(200);
            assertEquals(List.of(), receiver.requests(), "nothing reached the refused peer");
        } finally {
            client.close();
        }
    }

    @Test
    void a_request_waiting_for_a_pooled_connection_gives_up_with_its_attempt() throws Exception {
        // given: the host's only pooled connection held by a request the receiver never answers (2 s attempt)
        VertxWebhookClient client = new VertxWebhookClient(vertx, Duration.ofSeconds(2), 1, guard);
        try {
            receiver.script(RawReceiver.Behaviour.SILENT);
            URI uri = URI.create(receiver.url("/hook"));
            CompletableFuture<WebhookResponse> holding = client.post(uri, Map.of(), new byte[0], Duration.ofSeconds(2))
                    .subscribeAsCompletionStage();

            // when: a second request with a 300 ms attempt waits for that connection
            CompletionException second = assertThrows(CompletionException.class, () -> client.post(uri, Map.of(),
                    new byte[0], Duration.ofMillis(300)).await().atMost(Duration.ofSeconds(10)));
            assertEquals("no response within 300 ms", second.getCause().getMessage());

            // then: once the first attempt ended and its connection closed, the second opens none of its own
            ExecutionException first = assertThrows(ExecutionException.class, () -> holding.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, first.getCause());
            Thread.sleep(500);
            assertEquals(1, receiver.connectionsAccepted(), "connections the receiver accepted");
            assertEquals(1, receiver.requests().size());
        } finally {
            client.close();
        }
    }

    @Test
    void interim_responses_only_then_the_connection_closed_is_a_retryable_connection_failure() {
        // given
        Responder answer = RawReceiver.raw("HTTP/1.1 102 Processing\r\n\r\n", Duration.ZERO);
        receiver.script(answer, answer, answer);

        // when
        DeliveryOutcome outcome = dispatch();

        // then
        DeliveryOutcome.Retryable retryable = assertInstanceOf(DeliveryOutcome.Retryable.class, outcome);
        assertEquals(0, retryable.status());
        assertEquals(3, retryable.attempts());
    }

    @Test
    void interim_responses_then_nothing_time_out_like_no_response() {
        // given
        Responder answer = RawReceiver.raw("HTTP/1.1 102 Processing\r\n\r\n", Duration.ofSeconds(30));
        receiver.script(answer);

        // when
        DeliveryOutcome outcome = dispatch(1);

        // then
        assertEquals(new DeliveryOutcome.Retryable(0, "TimeoutException: no response within 3000 ms", 1), outcome);
    }

    private DeliveryOutcome dispatch() {
        return dispatch(3);
    }

    private DeliveryOutcome dispatch(int attempts) {
        return dispatch(dispatcher(attempts));
    }

    private DeliveryOutcome dispatch(WebhookDispatcher dispatcher) {
        String url = receiver.url("/hook");
        return dispatcher.dispatch(request(url), guard.check(url), Instant.now().plusSeconds(30))
                .await().atMost(Duration.ofSeconds(40));
    }

    private WebhookDispatcher dispatcher(int attempts) {
        return new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(attempts, Duration.ofMillis(10), Duration.ofMillis(10), RetryPolicy.THREAD_LOCAL_RANDOM),
                ATTEMPT_TIMEOUT, Clock.systemUTC());
    }

    private static WebhookRequest request(String url) {
        Subscription subscription = new Subscription("test", url, Set.of(), Set.of(), WebhookSecret.of("secret"), true);
        return new WebhookRequest("msg_00000000000000000000000000000001", ConversationEvent.STATUS, subscription,
                "{\"id\":1}".getBytes(StandardCharsets.UTF_8));
    }
}
