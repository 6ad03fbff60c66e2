package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.replay.DeadLetterReplay;
import io.conversationwebhooks.replay.HttpSender;
import io.conversationwebhooks.subscription.PreviousSecret;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.MutableClock;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * Each attempt signs with the secrets valid at its own time (CONTRACT section 6): an old secret that expires between
 * two attempts signs the first and not the second. The senders' clocks are moved by hand, by less than the Standard
 * Webhooks library's 5-minute tolerance, so the reference verifier still accepts the timestamps.
 */
@QuarkusTest
class RotationAcrossAttemptsTest {

    private static final String NEW_SECRET = "whsec_bmV3IHNlY3JldCBhZnRlciB0aGUgcm90YXRpb24h";
    private static final String OLD_SECRET = "whsec_b2xkIHNlY3JldCBiZWZvcmUgdGhlIHJvdGF0aW9u";
    private static final String WEBHOOK_ID = "msg_0123456789abcdef0123456789abcdef";
    private static final byte[] BODY = "{\"id\":77,\"status\":\"closed\"}".getBytes(StandardCharsets.UTF_8);

    @Inject
    DeliveryConfig config;

    @Inject
    Vertx vertx;

    private final AddressGuard guard = new AddressGuard(true, host -> {
        throw new AssertionError("no lookup when private networks are allowed");
    });
    private WebhookReceiver receiver;
    private MutableClock clock;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void an_inline_retry_after_the_old_secret_expired_is_signed_with_the_new_one_only() {
        // given: the old secret expires 60 s from now; the subscriber answers 503, and two minutes pass meanwhile
        Subscription subscription = rotating(receiver.url("/hook"), clock.instant().plusSeconds(60));
        receiver.rule("/hook", request -> {
            if (receiver.requests("/hook").size() == 1) {
                clock.advance(Duration.ofMinutes(2));
                return Answer.status(503);
            }
            return Answer.status(204);
        });
        WebhookDispatcher dispatcher = new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(3), clock);
        WebhookRequest request = new WebhookRequest(WEBHOOK_ID, ConversationEvent.STATUS, subscription, BODY);

        // when
        DeliveryOutcome outcome = dispatcher.dispatch(request, guard.check(subscription.url()),
                clock.instant().plus(Duration.ofMinutes(10))).await().atMost(Duration.ofSeconds(20));

        // then
        assertEquals(2, assertInstanceOf(DeliveryOutcome.Delivered.class, outcome).attempts());
        List<Received> attempts = receiver.requests("/hook");
        assertTrue(verifies(attempts.get(0), OLD_SECRET), "first attempt, before expiry: old secret");
        assertTrue(verifies(attempts.get(0), NEW_SECRET), "first attempt, before expiry: new secret");
        assertFalse(verifies(attempts.get(1), OLD_SECRET), "inline retry, after expiry: old secret");
        assertTrue(verifies(attempts.get(1), NEW_SECRET), "inline retry, after expiry: new secret");
        assertEquals(Long.parseLong(attempts.get(0).header("webhook-timestamp")) + 120,
                Long.parseLong(attempts.get(1).header("webhook-timestamp")), "each attempt's own time");
    }

    @Test
    void a_replay_is_signed_with_the_secrets_valid_when_it_is_sent() {
        // given
        Subscription subscription = rotating(receiver.url("/replayed"), clock.instant().plusSeconds(60));

        // when: sent before the old secret expires, then again after
        try (HttpSender sender = new HttpSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(5), clock)) {
            DeadLetterReplay.Attempt before = sender.send(subscription, WEBHOOK_ID, ConversationEvent.STATUS, BODY);
            clock.advance(Duration.ofSeconds(60));
            DeadLetterReplay.Attempt after = sender.send(subscription, WEBHOOK_ID, ConversationEvent.STATUS, BODY);
            assertTrue(before.delivered() && after.delivered());
        }

        // then
        List<Received> attempts = receiver.requests("/replayed");
        assertTrue(verifies(attempts.get(0), OLD_SECRET) && verifies(attempts.get(0), NEW_SECRET), "before expiry");
        assertFalse(verifies(attempts.get(1), OLD_SECRET), "at expiry the old secret signs nothing");
        assertTrue(verifies(attempts.get(1), NEW_SECRET), "at expiry: new secret");
        assertTrue(List.of("Bearer tok-3f9a7c").equals(attempts.get(1).headers().get("authorization")),
                "Authorization missing or changed (values not shown)");
    }

    private static Subscription rotating(String url, Instant oldExpiresAt) {
        return new Subscription("rotating", url, Set.of(), Set.of(), WebhookSecret.of(NEW_SECRET),
                List.of(new PreviousSecret(WebhookSecret.of(OLD_SECRET), oldExpiresAt)),
                Map.of("Authorization", "Bearer tok-3f9a7c"), true);
    }

    private static boolean verifies(Received request, String secret) {
        try {
            new Webhook(secret).verify(request.bodyText(), request.headers());
            return true;
        } catch (WebhookVerificationException e) {
            return false;
        }
    }
}
