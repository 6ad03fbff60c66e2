package io.conversationwebhooks.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

/** Checks received webhooks the way a receiver would, independently of the project's signer. */
public final class Signatures {

    private Signatures() {
    }

    /**
     * Verifies {@code webhook-signature} with the Standard Webhooks reference library (which also checks the
     * timestamp is within 5 minutes).
     *
     * @throws AssertionError when it does not verify
     */
    public static void assertStandardWebhooksValid(WebhookReceiver.Received request, String secret) {
        Webhook webhook = secret.startsWith("whsec_") ? new Webhook(secret)
                : new Webhook(secret.getBytes(StandardCharsets.UTF_8));
        try {
            webhook.verify(request.bodyText(), request.headers());
        } catch (WebhookVerificationException e) {
            throw new AssertionError("webhook-signature does not verify: " + e.getMessage());
        }
    }

    /** {@code base64(HMAC-SHA1(UTF-8 bytes of the secret, body))}, as FreeScout receivers compute it. */
    public static String freeScoutSignature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
