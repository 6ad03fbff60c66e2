package io.conversationwebhooks.subscription;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A subscription's signing secret and the two keys derived from it (CONTRACT section 6). Its {@code toString} never
 * shows the secret, so it is safe in logs and exception messages.
 *
 * <ul>
 * <li>FreeScout key ({@code X-FreeScout-Signature}, HMAC-SHA1): the UTF-8 bytes of the whole secret string.</li>
 * <li>Standard Webhooks key ({@code webhook-signature}, HMAC-SHA256): the base64-decoded remainder of a
 * {@code whsec_} secret (<a href="https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme">
 * Standard Webhooks, signature scheme</a>), otherwise the UTF-8 bytes of the secret.</li>
 * </ul>
 */
public final class WebhookSecret {

    /** Prefix of a Standard Webhooks secret whose remainder is base64. */
    public static final String STANDARD_PREFIX = "whsec_";

    private final byte[] freeScoutKey;
    private final byte[] standardWebhooksKey;

    private WebhookSecret(byte[] freeScoutKey, byte[] standardWebhooksKey) {
        this.freeScoutKey = freeScoutKey;
        this.standardWebhooksKey = standardWebhooksKey;
    }

    /**
     * @param secret the secret as stored; not empty
     * @throws IllegalArgumentException when it is empty, or starts with {@code whsec_} but the rest is not base64 (the
     *         message never contains the secret)
     */
    public static WebhookSecret of(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("secret is empty");
        }
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
        if (!secret.startsWith(STANDARD_PREFIX)) {
            return new WebhookSecret(utf8, utf8);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(STANDARD_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret starts with whsec_ but the rest is not base64");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("secret has an empty key after whsec_");
        }
        return new WebhookSecret(utf8, key);
    }

    /** Key of the FreeScout HMAC-SHA1 signature; a copy. */
    public byte[] freeScoutKey() {
        return freeScoutKey.clone();
    }

    /** Key of the Standard Webhooks HMAC-SHA256 signature; a copy. */
    public byte[] standardWebhooksKey() {
        return standardWebhooksKey.clone();
    }

    @Override
    public String toString() {
        return "WebhookSecret[***]";
    }
}
