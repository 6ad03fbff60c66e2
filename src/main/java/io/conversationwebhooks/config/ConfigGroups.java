package io.conversationwebhooks.config;

import jakarta.enterprise.inject.Produces;

/**
 * Makes each group of {@link WebhooksConfig} injectable on its own, so that a part of the application names only the
 * group it reads; every group is read from the one root.
 */
public class ConfigGroups {

    @Produces
    SubscriptionsConfig subscriptions(WebhooksConfig config) {
        return config.subscriptionSource();
    }

    @Produces
    LedgerConfig ledger(WebhooksConfig config) {
        return config.ledger();
    }

    @Produces
    DeliveryConfig delivery(WebhooksConfig config) {
        return config.delivery();
    }

    @Produces
    StreamConfig stream(WebhooksConfig config) {
        return config.stream();
    }

    @Produces
    RetryConfig retry(WebhooksConfig config) {
        return config.retry();
    }

    @Produces
    OperationsConfig operations(WebhooksConfig config) {
        return config.operations();
    }
}
