package io.conversationwebhooks.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.conversationwebhooks.subscription.WebhookSecret;

/**
 * Signs webhook bodies both ways CONTRACT section 6 requires.
 *
 * <ul>
 * <li>{@code X-FreeScout-Signature}: {@code base64(HMAC-SHA1(secret UTF-8 bytes, body))}, as FreeScout's API &amp;
 * Webhooks module signs.</li>
 * <li>{@code webhook-signature}: {@code v1,base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"))}
 * (<a href="https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md">Standard
 * Webhooks v1</a>); during a secret rotation one such signature per valid secret, space-separated, the current
 * secret's first, which the specification's verifiers accept when any one of them matches.</li>
 * </ul>
 *
 * <p>Thread-safe; one {@link Mac} per algorithm and thread is reused. Signatures are never logged.
 */
public final class WebhookSigner {

    private static final String HMAC_SHA1 = "HmacSHA1";
    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final ThreadLocal<Mac> SHA1 = ThreadLocal.withInitial(() -> mac(HMAC_SHA1));
    private static final ThreadLocal<Mac> SHA256 = ThreadLocal.withInitial(() -> mac(HMAC_SHA256));
    private static final byte DOT = '.';

    private WebhookSigner() {
    }

    /**
     * @param secret the subscription's secret
     * @param body the exact body bytes sent
     * @return the {@code X-FreeScout-Signature} header value
     */
    public static String freeScoutSignature(WebhookSecret secret, byte[] body) {
        Mac mac = init(SHA1.get(), secret.freeScoutKey(), HMAC_SHA1);
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /**
     * @param secret the subscription's secret
     * @param webhookId the {@code webhook-id} header value
     * @param timestamp the {@code webhook-timestamp} header value, Unix seconds
     * @param body the exact body bytes sent
     * @return the {@code webhook-signature} header value, {@code v1,<base64>}
     */
    public static String standardSignature(WebhookSecret secret, String webhookId, long timestamp, byte[] body) {
        Mac mac = init(SHA256.get(), secret.standardWebhooksKey(), HMAC_SHA256);
        mac.update(webhookId.getBytes(StandardCharsets.UTF_8));
        mac.update(DOT);
        mac.update(Long.toString(timestamp).getBytes(StandardCharsets.UTF_8));
        mac.update(DOT);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /**
     * The {@code webhook-signature} header value for several secrets (CONTRACT section 6, secret rotation).
     *
     * @param secrets the secrets valid at the attempt's time, the current one first (see
     *        {@code Subscription.secretsValidAt}); not empty
     * @param webhookId the {@code webhook-id} header value
     * @param timestamp the {@code webhook-timestamp} header value, Unix seconds
     * @param body the exact body bytes sent
     * @return {@code v1,<base64>} per secret, in the given order, separated by single spaces
     * @throws IllegalArgumentException when no secret is given
     */
    public static String standardSignatures(List<WebhookSecret> secrets, String webhookId, long timestamp, byte[] body) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no secret to sign with");
        }
        StringBuilder header = new StringBuilder();
        for (WebhookSecret secret : secrets) {
            if (header.length() > 0) {
                header.append(' ');
            }
            header.append(standardSignature(secret, webhookId, timestamp, body));
        }
        return header.toString();
    }

    private static Mac init(Mac mac, byte[] key, String algorithm) {
        try {
            mac.init(new SecretKeySpec(key, algorithm));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " key rejected", e);
        }
    }

    private static Mac mac(String algorithm) {
        try {
            return Mac.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }
}
