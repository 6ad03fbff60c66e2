package io.conversationwebhooks.subscription;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.config.SubscriptionsConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Chooses where subscription health is written: the subscriptions table when there is one, nowhere otherwise. */
public class SubscriptionHealthProducer {

    @Produces
    @ApplicationScoped
    SubscriptionHealth subscriptionHealth(SubscriptionsConfig subscriptions, RetryConfig retry,
            Instance<DynamoDbClient> dynamoDb) {
        if (subscriptions.subscriptionsTable().isPresent()) {
            return new DynamoDbSubscriptionHealth(dynamoDb.get(), subscriptions.subscriptionsTable().get(),
                    retry.retry().disableSubscriptionAfter(), Clock.systemUTC());
        }
        return new ConfiguredSubscriptionHealth();
    }
}
