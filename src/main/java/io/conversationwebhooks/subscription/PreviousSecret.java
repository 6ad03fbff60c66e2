package io.conversationwebhooks.subscription;

import java.time.Instant;
import java.util.Objects;

/**
 * A secret being rotated out (CONTRACT sections 4 and 6): it still signs {@code webhook-signature}, after the current
 * secret's signature, while the attempt's time is before {@code expiresAt}; from then on it signs nothing. Its
 * {@code toString} masks the secret.
 *
 * @param secret the old secret
 * @param expiresAt when it stops signing; stored as {@code expiresAt} N, epoch seconds
 */
public record PreviousSecret(WebhookSecret secret, Instant expiresAt) {

    public PreviousSecret {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Whether it still signs an attempt made at {@code at}: true strictly before {@link #expiresAt()}. */
    public boolean validAt(Instant at) {
        return at.isBefore(expiresAt);
    }
}
