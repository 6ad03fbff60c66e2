package io.conversationwebhooks.subscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

/**
 * The subscriptions this container saw disabled by a delivery's answer (410 Gone, or failing past
 * {@code webhooks.retry.disable-subscription-after}), so that they get no further request from it (CONTRACT section
 * 7), although what the container read of the subscriptions, cached for {@code WEBHOOKS_SUBSCRIPTIONS_CACHE_TTL}, still
 * shows them enabled. Other containers learn it from the subscriptions table when their cache expires.
 *
 * <p>A disable stays in force here until a read of the subscriptions shows the subscription disabled: from then on the
 * source is the truth again, so a subscription an operator enables again afterwards is served again. When the source
 * never shows it (subscriptions from configuration, or a table write that failed), it stays disabled for the life of
 * the container. Thread-safe.
 */
@Singleton
public class DisabledSubscriptions {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    /** @param subscriptionId a subscription disabled by a delivery's answer just now */
    public void disabled(String subscriptionId) {
        pending.add(subscriptionId);
    }

    /**
     * Whether a delivery's answer disabled the subscription here, and no read of the subscriptions has shown it
     * disabled since: a batch that read it enabled must stop sending to it.
     *
     * @param subscriptionId a subscription's id
     * @return true while the disable is only known here
     */
    public boolean contains(String subscriptionId) {
        return pending.contains(subscriptionId);
    }

    /**
     * @param source where subscriptions are read from
     * @return the same subscriptions, with those disabled here and not yet seen disabled in {@code source} disabled
     */
    public SubscriptionRepository applyTo(SubscriptionRepository source) {
        return () -> apply(source.subscriptions());
    }

    /**
     * @param health where disables and failures are written
     * @return the same health, which also remembers here each subscription it disables or finds disabled
     */
    public SubscriptionHealth rememberFrom(SubscriptionHealth health) {
        return new SubscriptionHealth() {
            @Override
            public boolean disable(String subscriptionId, String reason) {
                disabled(subscriptionId);
                return health.disable(subscriptionId, reason);
            }

            @Override
            public Optional<Instant> succeeded(String subscriptionId) {
                return health.succeeded(subscriptionId);
            }

            @Override
            public Failure failed(String subscriptionId) {
                Failure failure = health.failed(subscriptionId);
                if (failure.disabled()) {
                    disabled(subscriptionId);
                }
                return failure;
            }
        };
    }

    private List<Subscription> apply(List<Subscription> read) {
        if (pending.isEmpty()) {
            return read;
        }
        List<Subscription> result = new ArrayList<>(read.size());
        for (Subscription subscription : read) {
            if (!pending.contains(subscription.id())) {
                result.add(subscription);
            } else if (!subscription.enabled()) {
                pending.remove(subscription.id());
                result.add(subscription);
            } else {
                result.add(new Subscription(subscription.id(), subscription.url(), subscription.events(),
                        subscription.mailboxes(), subscription.secret(), false));
            }
        }
        return List.copyOf(result);
    }
}
