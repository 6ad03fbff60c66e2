package io.conversationwebhooks.delivery;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Signatures against vectors computed outside this code base. Each expected value was computed with Python's standard
 * library (hmac, hashlib, base64) over the same bytes, e.g.
 *
 * <pre>
 * python3 -c 'import hmac,hashlib,base64; body="{...}".encode("utf-8");
 *   print(base64.b64encode(hmac.new(SECRET.encode("utf-8"), body, hashlib.sha1).digest()).decode())'
 * python3 -c '... print("v1,"+base64.b64encode(hmac.new(KEY, f"{ID}.{TS}.".encode()+body, hashlib.sha256).digest()).decode())'
 * </pre>
 */
class WebhookSignerTest {

    /** 94 bytes of UTF-8: "ø" and "Ø" are two bytes each. */
    private static final byte[] BODY = ("{\"id\":112,\"subject\":\"Can't log in\",\"customer\":"
            + "{\"firstName\":\"S\u00f8ren\",\"lastName\":\"\u00d8stergaard\"}}").getBytes(UTF_8);
    private static final String WEBHOOK_ID = "msg_0123456789abcdef0123456789abcdef";
    private static final long TIMESTAMP = 1796038245L;

    private static final String PLAIN_SECRET = "freescout-shared-secret";
    /** "whsec_" + base64 of the 32 ASCII bytes "conversation-webhooks test key!!". */
    private static final String WHSEC_SECRET = "whsec_Y29udmVyc2F0aW9uLXdlYmhvb2tzIHRlc3Qga2V5ISE=";

    @Test
    void the_vectors_were_computed_over_these_exact_bytes() {
        assertEquals(94, BODY.length);
    }

    @Test
    void should_sign_FreeScout_style_with_a_plain_secret() {
        // python: base64(hmac.new(b"freescout-shared-secret", BODY, sha1))
        assertEquals("3G8llZ9b/T/8hNqZA5RwBjE5BS8=",
                WebhookSigner.freeScoutSignature(WebhookSecret.of(PLAIN_SECRET), BODY));
    }

    @Test
    void should_sign_Standard_Webhooks_style_with_the_UTF8_bytes_of_a_plain_secret() {
        // python: "v1," + base64(hmac.new(b"freescout-shared-secret", b"msg_0123...cdef.1796038245." + BODY, sha256))
        assertEquals("v1,24I8zXLW2bp764pHJbAS1OWb8ULFJ+13OKkXW/qSwN8=",
                WebhookSigner.standardSignature(WebhookSecret.of(PLAIN_SECRET), WEBHOOK_ID, TIMESTAMP, BODY));
    }

    @Test
    void should_sign_FreeScout_style_with_the_whole_whsec_string_as_key() {
        // python: base64(hmac.new(b"whsec_Y29udmVy...ISE=", BODY, sha1)) -- the prefix and base64 text, not decoded
        assertEquals("4Ack9bogRAx0ggAl/QsysULYS+U=",
                WebhookSigner.freeScoutSignature(WebhookSecret.of(WHSEC_SECRET), BODY));
    }

    @Test
    void should_sign_Standard_Webhooks_style_with_the_decoded_whsec_key() {
        // python: "v1," + base64(hmac.new(b"conversation-webhooks test key!!", b"msg_...cdef.1796038245." + BODY, sha256))
        assertEquals("v1,slO8ER4/3MjpFrikl/jivia8972o4g5q8hhb/b49yyA=",
                WebhookSigner.standardSignature(WebhookSecret.of(WHSEC_SECRET), WEBHOOK_ID, TIMESTAMP, BODY));
    }

    @Test
    void should_reproduce_the_Standard_Webhooks_specification_test_vector() {
        // The example published with the Standard Webhooks specification and its reference libraries;
        // recomputed with Python as above before being pasted here.
        WebhookSecret secret = WebhookSecret.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        String signature = WebhookSigner.standardSignature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(UTF_8));

        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    void should_give_different_signatures_for_different_webhook_ids_and_timestamps() {
        WebhookSecret secret = WebhookSecret.of(WHSEC_SECRET);
        String signature = WebhookSigner.standardSignature(secret, WEBHOOK_ID, TIMESTAMP, BODY);

        assertNotEquals(signature, WebhookSigner.standardSignature(secret, "msg_other", TIMESTAMP, BODY));
        assertNotEquals(signature, WebhookSigner.standardSignature(secret, WEBHOOK_ID, TIMESTAMP + 1, BODY));
    }

    @Test
    void should_be_verified_by_the_Standard_Webhooks_library_with_a_whsec_secret() {
        // given
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigner.standardSignature(WebhookSecret.of(WHSEC_SECRET), WEBHOOK_ID, now, BODY);
        Webhook receiver = new Webhook(WHSEC_SECRET);

        // when, then
        assertDoesNotThrow(() -> receiver.verify(new String(BODY, UTF_8), headers(WEBHOOK_ID, now, signature)));
    }

    @Test
    void should_be_verified_by_the_Standard_Webhooks_library_with_the_raw_bytes_of_a_plain_secret() {
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigner.standardSignature(WebhookSecret.of(PLAIN_SECRET), WEBHOOK_ID, now, BODY);
        Webhook receiver = new Webhook(PLAIN_SECRET.getBytes(UTF_8));

        assertDoesNotThrow(() -> receiver.verify(new String(BODY, UTF_8), headers(WEBHOOK_ID, now, signature)));
    }

    @Test
    void should_fail_Standard_Webhooks_verification_when_the_body_is_tampered_with() {
        // given
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigner.standardSignature(WebhookSecret.of(WHSEC_SECRET), WEBHOOK_ID, now, BODY);
        String tampered = new String(BODY, UTF_8).replace("\"id\":112", "\"id\":113");
        Webhook receiver = new Webhook(WHSEC_SECRET);

        // when
        WebhookVerificationException error = assertThrows(WebhookVerificationException.class,
                () -> receiver.verify(tampered, headers(WEBHOOK_ID, now, signature)));

        // then
        assertEquals("No matching signature found", error.getMessage());
    }

    @Test
    void should_fail_Standard_Webhooks_verification_when_the_webhook_id_is_changed() {
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigner.standardSignature(WebhookSecret.of(WHSEC_SECRET), WEBHOOK_ID, now, BODY);
        Webhook receiver = new Webhook(WHSEC_SECRET);

        assertThrows(WebhookVerificationException.class,
                () -> receiver.verify(new String(BODY, UTF_8), headers("msg_replayed", now, signature)));
    }

    private static HttpHeaders headers(String webhookId, long timestamp, String signature) {
        return HttpHeaders.of(Map.of("webhook-id", List.of(webhookId), "webhook-timestamp",
                List.of(Long.toString(timestamp)), "webhook-signature", List.of(signature)), (name, value) -> true);
    }
}
