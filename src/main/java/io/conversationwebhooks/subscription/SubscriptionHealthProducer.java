package io.conversationwebhooks.subscription;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.config.SubscriptionsConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Chooses where subscription health is written: the subscriptions table when there is one, nowhere otherwise. Either
 * way, a subscription it disables, or finds disabled, gets no further request from this container
 * ({@link DisabledSubscriptions}).
 */
public class SubscriptionHealthProducer {

    @Produces
    @ApplicationScoped
    SubscriptionHealth subscriptionHealth(SubscriptionsConfig subscriptions, RetryConfig retry,
            Instance<DynamoDbClient> dynamoDb, DisabledSubscriptions disabledHere) {
        if (subscriptions.subscriptionsTable().isPresent()) {
            return disabledHere.rememberFrom(new DynamoDbSubscriptionHealth(dynamoDb.get(),
                    subscriptions.subscriptionsTable().get(), retry.disableSubscriptionAfter(), Clock.systemUTC()));
        }
        return disabledHere.rememberFrom(new ConfiguredSubscriptionHealth());
    }
}
