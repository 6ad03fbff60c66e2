package io.conversationwebhooks.subscription;

import java.time.Instant;
import java.util.Optional;

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
     * @return true when this call disabled it (false: it was disabled already, is gone, or cannot be changed)
     */
    default boolean disable(String subscriptionId, String reason) {
        return false;
    }

    /**
     * A delivery to the subscription succeeded (2xx).
     *
     * @return when the subscription started failing, if this success ended a failure period (a recovery)
     */
    default Optional<Instant> succeeded(String subscriptionId) {
        return Optional.empty();
    }

    /**
     * A delivery to the subscription failed after its attempts.
     *
     * @return whether the subscription is disabled now, and whether this failure disabled it
     */
    default Failure failed(String subscriptionId) {
        return Failure.ENABLED;
    }

    /**
     * What a failure left the subscription in.
     *
     * @param disabled the subscription is disabled now: already, or by this failure
     * @param disabledReason when this failure disabled it (failing without success for the configured period), the
     *        reason stored with it; otherwise null
     * @param failingSince when its failure period started, when known
     */
    record Failure(boolean disabled, String disabledReason, Instant failingSince) {

        /** Still enabled, nothing known. */
        public static final Failure ENABLED = new Failure(false, null, null);

        /** Whether this very failure disabled the subscription. */
        public boolean disabledNow() {
            return disabledReason != null;
        }
    }
}
