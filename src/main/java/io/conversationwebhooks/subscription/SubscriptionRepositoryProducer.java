package io.conversationwebhooks.subscription;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import io.conversationwebhooks.config.SubscriptionsConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Chooses where subscriptions come from: the table when {@code WEBHOOKS_SUBSCRIPTIONS_TABLE} is set, configuration
 * otherwise. The DynamoDB client is only created when the table is used. Either way, a subscription this container saw
 * disabled by a delivery's answer reads as disabled ({@link DisabledSubscriptions}).
 */
public class SubscriptionRepositoryProducer {

    @Produces
    @ApplicationScoped
    SubscriptionRepository subscriptionRepository(SubscriptionsConfig config, Instance<DynamoDbClient> dynamoDb,
            DisabledSubscriptions disabledHere) {
        if (config.subscriptionsTable().isPresent()) {
            return disabledHere.applyTo(new DynamoDbSubscriptionRepository(dynamoDb.get(),
                    config.subscriptionsTable().get(), config.subscriptionsCacheTtl(), Clock.systemUTC()));
        }
        return disabledHere.applyTo(new ConfiguredSubscriptionRepository(config.subscriptions()));
    }
}
