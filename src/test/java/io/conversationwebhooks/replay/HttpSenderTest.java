package io.conversationwebhooks.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.RawReceiver;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Received;

/** The replay's HTTP sender against a real HTTP receiver on loopback. */
class HttpSenderTest {

    private static final String SECRET = "whsec_cmVwbGF5IHNlbmRlciB0ZXN0IHNlY3JldCAwMDAwMQ==";
    private static final String WEBHOOK_ID = "msg_0123456789abcdef0123456789abcdef";
    private static final byte[] BODY = "{\"id\":42,\"subject\":\"Grüße\"}".getBytes(StandardCharsets.UTF_8);

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
    void a_host_checked_public_whose_connection_reaches_loopback_gets_no_request() throws Exception {
        // given: the guard's lookup answers a public address, the HTTP client's lookup of "localhost" 127.0.0.1
        AddressGuard guard = new AddressGuard(false, host -> new InetAddress[] { InetAddress.getByName("93.184.216.34") });
        String url = receiver.url("/hook").replace("127.0.0.1", "localhost");

        // when
        DeadLetterReplay.Attempt attempt;
        try (HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC())) {
            attempt = sender.send(subscription(url), WEBHOOK_ID, ConversationEvent.STATUS, BODY);
        }

        // then
        assertFalse(attempt.sent());
        assertFalse(attempt.delivered());
        assertTrue(attempt.error().startsWith("not sent: connected to a loopback address 127.0.0.1"), attempt.error());
        Thread.sleep(200);
        assertEquals(List.of(), receiver.requests(), "no request reached the loopback address");
    }

    @Test
    void an_allowed_target_gets_the_signed_request_for_its_own_host() {
        // given
        AddressGuard guard = new AddressGuard(true, host -> {
            throw new AssertionError("no lookup when private networks are allowed");
        });
        String url = receiver.url("/hook");

        // when
        DeadLetterReplay.Attempt attempt;
        try (HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC())) {
            attempt = sender.send(subscription(url), WEBHOOK_ID, ConversationEvent.STATUS, BODY);
        }

        // then
        assertTrue(attempt.sent());
        assertEquals(204, attempt.status());
        assertNull(attempt.error());
        List<Received> requests = receiver.requests("/hook");
        assertEquals(1, requests.size());
        Received request = requests.get(0);
        assertEquals("POST", request.method());
        assertEquals(URI.create(url).getAuthority(), request.header("host"));
        assertEquals("application/json; charset=utf-8", request.header("content-type"));
        assertEquals("convo.status", request.header("x-freescout-event"));
        assertEquals(WEBHOOK_ID, request.header("webhook-id"));
        assertEquals(new String(BODY, StandardCharsets.UTF_8), request.bodyText());
        assertEquals(Signatures.freeScoutSignature(SECRET, BODY), request.header("x-freescout-signature"));
        Signatures.assertStandardWebhooksValid(request, SECRET);
    }

    @Test
    void a_redirect_is_a_failure_and_is_not_followed() {
        // given
        AddressGuard guard = new AddressGuard(true, host -> {
            throw new AssertionError("no lookup when private networks are allowed");
        });
        receiver.script("/moved", new Answer(301, Map.of("Location", receiver.url("/elsewhere")), Duration.ZERO));

        // when
        DeadLetterReplay.Attempt attempt;
        try (HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC())) {
            attempt = sender.send(subscription(receiver.url("/moved")), WEBHOOK_ID, ConversationEvent.STATUS, BODY);
        }

        // then
        assertEquals(301, attempt.status());
        assertEquals("HTTP 301", attempt.error());
        assertEquals(List.of(), receiver.requests("/elsewhere"));
    }

    @Test
    void a_request_given_up_on_is_reset_and_its_connection_closed_at_once() throws Exception {
        // given: a receiver that never answers, and a sender that gives up long before its 60 s response timeout
        AddressGuard guard = new AddressGuard(true, host -> {
            throw new AssertionError("no lookup when private networks are allowed");
        });
        try (RawReceiver silent = RawReceiver.start();
                HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(60),
                        Duration.ofMillis(500), Clock.systemUTC())) {
            silent.script(RawReceiver.Behaviour.SILENT);

            // when
            DeadLetterReplay.Attempt attempt = sender.send(subscription(silent.url("/hook")), WEBHOOK_ID,
                    ConversationEvent.STATUS, BODY);

            // then: the attempt failed, and the sender (still open) closed the connection instead of leaving it to
            // Vert.x's timeout
            assertFalse(attempt.delivered());
            assertEquals("TimeoutException", attempt.error());
            assertTrue(silent.awaitClosedByClient(Duration.ofSeconds(10)),
                    "the connection is still open after the attempt was recorded as failed");
        }
    }

    @Test
    void a_request_given_up_on_by_an_interrupt_never_reaches_the_subscriber() throws Exception {
        // given: the sender's only connection to the host held by a first replay the receiver answers after 1 s
        AddressGuard guard = new AddressGuard(true, host -> {
            throw new AssertionError("no lookup when private networks are allowed");
        });
        try (RawReceiver raw = RawReceiver.start();
                HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(10), Clock.systemUTC())) {
            raw.script(RawReceiver.interimThen(Duration.ofSeconds(1),
                    "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));
            String url = raw.url("/hook");
            CompletableFuture<DeadLetterReplay.Attempt> first = CompletableFuture.supplyAsync(
                    () -> sender.send(subscription(url), WEBHOOK_ID, ConversationEvent.STATUS, BODY));
            while (raw.requests().isEmpty() && !first.isDone()) {
                Thread.sleep(10);
            }

            // when: a second replay waits for that connection on a thread that is interrupted
            DeadLetterReplay.Attempt[] second = new DeadLetterReplay.Attempt[1];
            boolean[] stillInterrupted = new boolean[1];
            Thread replaying = new Thread(() -> {
                Thread.currentThread().interrupt();
                second[0] = sender.send(subscription(url), "msg_ffffffffffffffffffffffffffffffff",
                        ConversationEvent.STATUS, BODY);
                stillInterrupted[0] = Thread.currentThread().isInterrupted();
            });
            replaying.start();
            replaying.join(10_000);

            // then: reported failed, and still not sent once the connection is free
            assertEquals("InterruptedException", second[0].error());
            assertFalse(second[0].delivered());
            assertTrue(stillInterrupted[0], "the interrupt is kept for the caller");
            assertEquals(204, first.get(10, TimeUnit.SECONDS).status());
            Thread.sleep(500);
            assertEquals(List.of(WEBHOOK_ID), raw.requests().stream().map(request -> request.header("webhook-id"))
                    .toList());
        }
    }

    @Test
    void a_replay_is_decided_by_the_final_status_line_and_reads_a_body_only_up_to_a_bound() throws Exception {
        // given: 102 Processing, then 200 with a 600 MiB body
        AddressGuard guard = new AddressGuard(true, host -> {
            throw new AssertionError("no lookup when private networks are allowed");
        });
        RawReceiver.Responder processingThenHuge = (socket, bodyBytes) -> {
            socket.getOutputStream().write("HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawReceiver.chunkedBody(600L * 1024 * 1024).respond(socket, bodyBytes);
        };
        try (RawReceiver raw = RawReceiver.start();
                HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC())) {
            raw.script(processingThenHuge);

            // when
            DeadLetterReplay.Attempt attempt = sender.send(subscription(raw.url("/hook")), WEBHOOK_ID,
                    ConversationEvent.STATUS, BODY);

            // then
            assertTrue(attempt.delivered(), String.valueOf(attempt.error()));
            assertEquals(200, attempt.status());
            assertEquals(1, raw.requests().size());
            assertTrue(raw.bodyBytesWritten() < 32L * 1024 * 1024, "body bytes written: " + raw.bodyBytesWritten());
        }
    }

    private static Subscription subscription(String url) {
        return new Subscription("replayed", url, Set.of(), Set.of(), WebhookSecret.of(SECRET), true);
    }
}
