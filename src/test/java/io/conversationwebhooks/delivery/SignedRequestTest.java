package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.Signatures;

/** The one request every path sends (CONTRACT section 6). */
class SignedRequestTest {

    private static final String SECRET = "whsec_c2lnbmVkIHJlcXVlc3QgdGVzdCBzZWNyZXQgMDAwMDE=";
    private static final byte[] BODY = "{\"id\":1001,\"status\":\"closed\"}".getBytes(StandardCharsets.UTF_8);

    private final Subscription subscription = new Subscription("sub", "https://example.com/hook", Set.of(), Set.of(),
            WebhookSecret.of(SECRET), true);

    @Test
    void holds_every_contract_header_in_order_signed_for_the_attempts_second() {
        // when
        SignedRequest request = SignedRequest.sign(subscription, ConversationEvent.STATUS, BODY, "msg_1",
                Instant.parse("2026-11-30T12:00:00.900Z"));

        // then
        assertEquals(List.of("Content-Type", "X-FreeScout-Event", "X-FreeScout-Signature", "webhook-id", "webhook-timestamp",
                "webhook-signature"), List.copyOf(request.headers().keySet()));
        assertEquals("application/json; charset=utf-8", request.headers().get("Content-Type"));
        assertEquals("convo.status", request.headers().get("X-FreeScout-Event"));
        assertEquals(Signatures.freeScoutSignature(SECRET, BODY), request.headers().get("X-FreeScout-Signature"));
        assertEquals("msg_1", request.headers().get("webhook-id"));
        assertEquals("1796040000", request.headers().get("webhook-timestamp"));
        assertEquals(WebhookSigner.standardSignature(WebhookSecret.of(SECRET), "msg_1", 1796040000L, BODY),
                request.headers().get("webhook-signature"));
        assertEquals(BODY, request.body());
    }

    @Test
    void is_not_changed_after_it_is_built() {
        SignedRequest request = SignedRequest.sign(subscription, ConversationEvent.STATUS, BODY, "msg_1", Instant.EPOCH);

        assertThrows(UnsupportedOperationException.class, () -> request.headers().put("webhook-id", "other"));
    }

    @Test
    void never_shows_a_signature_in_its_text() {
        SignedRequest request = SignedRequest.sign(subscription, ConversationEvent.STATUS, BODY, "msg_1", Instant.EPOCH);

        String text = request.toString();

        assertFalse(text.contains(request.headers().get("webhook-signature").substring(3)), text);
        assertFalse(text.contains(request.headers().get("X-FreeScout-Signature")), text);
    }
}
