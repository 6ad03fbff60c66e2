package io.conversationwebhooks.retry;

import java.time.Clock;

import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.settlement.DurableDelivery;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.conversationwebhooks.subscription.SubscriptionRepository;

/** Builds the retry function's work around a {@link SubscriptionHealth} of the test's choosing, e.g. one that fails. */
public final class DeliveryRetriesFixture {

    private DeliveryRetriesFixture() {
    }

    /** The same parts the application injects, with {@code health} in place of its own. */
    public static DeliveryRetries withHealth(SubscriptionHealth health, DurableDelivery durable,
            SubscriptionRepository subscriptions, AddressGuard guard, WebhookClient client, DeliveryConfig delivery,
            RetryConfig retry) {
        return new DeliveryRetries(durable, subscriptions, health, guard, client, delivery, retry, Clock.systemUTC(),
                io.conversationwebhooks.operations.OperationsReport.NONE);
    }
}
