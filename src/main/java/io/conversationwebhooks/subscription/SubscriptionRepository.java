package io.conversationwebhooks.subscription;

import java.util.List;

/** Source of the current subscriptions. */
public interface SubscriptionRepository {

    /**
     * All valid subscriptions, enabled or not; invalid entries are logged at WARN (with their id, never their secret)
     * and left out.
     *
     * @throws RuntimeException when the source cannot be read (e.g. DynamoDB unavailable); the batch then fails and
     *         Lambda retries it
     */
    List<Subscription> subscriptions();
}
