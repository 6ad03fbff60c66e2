package io.conversationwebhooks.subscription;

import org.jboss.logging.Logger;

/**
 * {@link SubscriptionHealth} for subscriptions given in configuration, which cannot be changed at run time: a
 * subscriber that answers 410 Gone is logged, so that an operator removes it, and its deliveries are skipped.
 */
public final class ConfiguredSubscriptionHealth implements SubscriptionHealth {

    private static final Logger LOG = Logger.getLogger(ConfiguredSubscriptionHealth.class);

    @Override
    public boolean disable(String subscriptionId, String reason) {
        LOG.warnf("Subscription %s should be disabled (%s); it comes from configuration: remove it there", subscriptionId,
                reason);
        return false;
    }
}
