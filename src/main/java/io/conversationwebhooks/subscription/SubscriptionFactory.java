package io.conversationwebhooks.subscription;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.stream.ConversationImage;

/** Builds {@link Subscription}s from stored fields, the same way for the table and for configuration. */
final class SubscriptionFactory {

    private static final Logger LOG = Logger.getLogger(SubscriptionFactory.class);

    private SubscriptionFactory() {
    }

    /**
     * @return the subscription, or empty (after a WARN naming the id and the problem) when it cannot be used
     */
    static Optional<Subscription> create(String id, String url, Collection<String> events, Collection<String> mailboxes,
            String secret, boolean enabled) {
        if (id == null || id.isBlank()) {
            LOG.warn("Skipping a subscription without id");
            return Optional.empty();
        }
        if (url == null || url.isBlank()) {
            LOG.warnf("Skipping subscription %s: it has no url", id);
            return Optional.empty();
        }
        WebhookSecret webhookSecret;
        try {
            webhookSecret = WebhookSecret.of(secret);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Skipping subscription %s: %s", id, e.getMessage());
            return Optional.empty();
        }
        Set<String> eventNames = new LinkedHashSet<>();
        for (String event : events) {
            String name = event.trim();
            if (ConversationEvent.byName(name).isEmpty()) {
                LOG.warnf("Subscription %s lists unknown event '%s'; it never matches", id, name);
            }
            eventNames.add(name);
        }
        Set<String> mailboxIds = new LinkedHashSet<>();
        for (String mailbox : mailboxes) {
            try {
                mailboxIds.add(ConversationImage.canonical(mailbox));
            } catch (NumberFormatException e) {
                LOG.warnf("Skipping subscription %s: mailbox '%s' is not a number", id, mailbox);
                return Optional.empty();
            }
        }
        return Optional.of(new Subscription(id, url.trim(), eventNames, mailboxIds, webhookSecret, enabled));
    }
}
