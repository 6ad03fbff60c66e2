package io.conversationwebhooks.subscription;

import java.util.List;
import java.util.Optional;

import io.conversationwebhooks.config.SubscriptionsConfig;

/**
 * Subscriptions from configuration ({@code webhooks.subscriptions[n].*}, e.g. the environment variable
 * {@code WEBHOOKS_SUBSCRIPTIONS_0__URL}), used when {@code WEBHOOKS_SUBSCRIPTIONS_TABLE} is unset. Read once.
 */
public final class ConfiguredSubscriptionRepository implements SubscriptionRepository {

    private final List<Subscription> subscriptions;

    /** Validates every entry once; invalid ones are logged and left out. */
    public ConfiguredSubscriptionRepository(List<SubscriptionsConfig.Entry> entries) {
        this.subscriptions = entries.stream()
                .map(entry -> SubscriptionFactory.create(entry.id(), entry.url(), entry.events().orElse(List.of()),
                        entry.mailboxes().orElse(List.of()), entry.secret(), entry.previousSecrets().stream()
                                .map(previous -> new SubscriptionFactory.StoredPreviousSecret(previous.secret(),
                                        previous.expiresAt()))
                                .toList(),
                        entry.headers(), entry.enabled()))
                .flatMap(Optional::stream)
                .toList();
    }

    @Override
    public List<Subscription> subscriptions() {
        return subscriptions;
    }
}
