package io.conversationwebhooks.subscription;

/**
 * Keeps track of whether a subscriber still wants and takes webhooks, and disables the subscription when it does not
 * (README, "Delivery guarantees"): on {@code 410 Gone}
 * (<a href="https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md">Standard
 * Webhooks</a>), and when it has been failing without any success for a configured period. Disabled subscriptions
 * receive nothing ({@link Subscription#accepts}).
 *
 * <p>Every method is blocking and best-effort: a write that fails is logged (subscription id only, never the secret),
 * never thrown.
 */
public interface SubscriptionHealth {

    /** For subscriptions that cannot be changed from here: logs, writes nothing. */
    SubscriptionHealth NONE = new SubscriptionHealth() {
    };

    /**
     * Disables the subscription.
     *
     * @param subscriptionId the subscription
     * @param reason why, stored as {@code disabledReason}; never a secret
     */
    default void disable(String subscriptionId, String reason) {
    }

    /** A delivery to the subscription succeeded (2xx). */
    default void succeeded(String subscriptionId) {
    }

    /**
     * A delivery to the subscription failed after its attempts.
     *
     * @return true when the subscription is disabled now: already, or by this failure because it has been failing
     *         without success for the configured period
     */
    default boolean failed(String subscriptionId) {
        return false;
    }
}
