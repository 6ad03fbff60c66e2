package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
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
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * A host that passes the first check with a public answer but whose connection reaches a loopback address (DNS
 * rebinding) gets no request: the connection's peer address is checked before anything is sent.
 */
@QuarkusTest
class DnsRebindingTest {

    @Inject
    DeliveryConfig config;

    @Inject
    Vertx vertx;

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
    void a_connection_to_a_private_address_is_refused_before_the_request_is_sent() throws Exception {
        // given: the guard's resolver answers with a public address, the HTTP client's resolver with 127.0.0.1
        AddressGuard guard = new AddressGuard(false, host -> new InetAddress[] { InetAddress.getByName("93.184.216.34") });
        String url = receiver.url("/hook").replace("127.0.0.1", "localhost");
        TargetCheck first = guard.check(url);
        assertInstanceOf(TargetCheck.Allowed.class, first);
        WebhookDispatcher dispatcher = new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(2), Clock.systemUTC());
        Subscription subscription = new Subscription("rebound", url, Set.of(), Set.of(),
                WebhookSecret.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), true);
        WebhookRequest request = new WebhookRequest("msg_0123456789abcdef0123456789abcdef", ConversationEvent.STATUS,
                subscription, "{\"id\":1}".getBytes(StandardCharsets.UTF_8));

        // when
        DeliveryOutcome outcome = dispatcher.dispatch(request, first, Instant.now().plusSeconds(10))
                .await().atMost(Duration.ofSeconds(10));

        // then
        DeliveryOutcome.Rejected rejected = assertInstanceOf(DeliveryOutcome.Rejected.class, outcome);
        assertTrue(rejected.reason().contains("loopback address 127.0.0.1"), rejected.reason());
        Thread.sleep(200);
        assertEquals(List.of(), receiver.requests(), "no request reached the private address");
    }

    @Test
    void a_connection_to_a_public_check_with_private_networks_allowed_is_delivered() {
        AddressGuard guard = new AddressGuard(true, host -> {
            throw new AssertionError("no lookup when private networks are allowed");
        });
        WebhookDispatcher dispatcher = new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(20), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(2), Clock.systemUTC());
        String url = receiver.url("/hook");
        Subscription subscription = new Subscription("allowed", url, Set.of(), Set.of(),
                WebhookSecret.of("plain"), true);
        WebhookRequest request = new WebhookRequest("msg_0123456789abcdef0123456789abcdef", ConversationEvent.STATUS,
                subscription, "{\"id\":1}".getBytes(StandardCharsets.UTF_8));

        DeliveryOutcome outcome = dispatcher.dispatch(request, guard.check(url), Instant.now().plusSeconds(10))
                .await().atMost(Duration.ofSeconds(10));

        assertInstanceOf(DeliveryOutcome.Delivered.class, outcome);
        assertEquals(1, receiver.requests("/hook").size());
    }
}
