package io.conversationwebhooks.delivery;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import io.conversationwebhooks.subscription.WebhookSecret;

/**
 * {@code webhook-signature} during a secret rotation: one {@code v1,} signature per secret, space-separated, the
 * current one first, checked against the single-secret signer and the Standard Webhooks reference verifier.
 */
class WebhookSignerRotationTest {

    private static final byte[] BODY = "{\"id\":112,\"subject\":\"Gr\u00fc\u00dfe\"}".getBytes(UTF_8);
    private static final String WEBHOOK_ID = "msg_0123456789abcdef0123456789abcdef";
    private static final String NEW = "whsec_bmV3IHNlY3JldCBhZnRlciB0aGUgcm90YXRpb24h";
    private static final String OLD = "whsec_b2xkIHNlY3JldCBiZWZvcmUgdGhlIHJvdGF0aW9u";
    private static final String UNRELATED = "whsec_dW5yZWxhdGVkIHNlY3JldCBvZiBzb21lYm9keQ==";

    @Test
    void should_join_one_signature_per_secret_with_a_space_current_first() {
        long timestamp = 1796038245L;

        String header = WebhookSigner.standardSignatures(List.of(WebhookSecret.of(NEW), WebhookSecret.of(OLD)),
                WEBHOOK_ID, timestamp, BODY);

        assertEquals(WebhookSigner.standardSignature(WebhookSecret.of(NEW), WEBHOOK_ID, timestamp, BODY) + " "
                + WebhookSigner.standardSignature(WebhookSecret.of(OLD), WEBHOOK_ID, timestamp, BODY), header);
    }

    @Test
    void should_verify_with_either_secret_and_not_with_another_in_the_reference_library() {
        long now = Instant.now().getEpochSecond();
        String header = WebhookSigner.standardSignatures(List.of(WebhookSecret.of(NEW), WebhookSecret.of(OLD)),
                WEBHOOK_ID, now, BODY);

        assertDoesNotThrow(() -> new Webhook(NEW).verify(new String(BODY, UTF_8), headers(now, header)));
        assertDoesNotThrow(() -> new Webhook(OLD).verify(new String(BODY, UTF_8), headers(now, header)));
        assertThrows(WebhookVerificationException.class,
                () -> new Webhook(UNRELATED).verify(new String(BODY, UTF_8), headers(now, header)));
    }

    @Test
    void one_secret_gives_exactly_the_single_signature() {
        assertEquals(WebhookSigner.standardSignature(WebhookSecret.of(NEW), WEBHOOK_ID, 1L, BODY),
                WebhookSigner.standardSignatures(List.of(WebhookSecret.of(NEW)), WEBHOOK_ID, 1L, BODY));
    }

    @Test
    void no_secret_is_a_programming_error() {
        assertEquals("no secret to sign with", assertThrows(IllegalArgumentException.class,
                () -> WebhookSigner.standardSignatures(List.of(), WEBHOOK_ID, 1L, BODY)).getMessage());
    }

    private static HttpHeaders headers(long timestamp, String signature) {
        return HttpHeaders.of(Map.of("webhook-id", List.of(WEBHOOK_ID), "webhook-timestamp",
                List.of(Long.toString(timestamp)), "webhook-signature", List.of(signature)), (name, value) -> true);
    }
}
