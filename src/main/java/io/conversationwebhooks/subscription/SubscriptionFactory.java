package io.conversationwebhooks.subscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.stream.ConversationImage;

/**
 * Builds {@link Subscription}s from stored fields, the same way for the table and for configuration. A subscription
 * that breaks a rule of CONTRACT section 4 is refused: a WARN names its id and the rule (never a secret or a header
 * value), and the caller goes on with the others. {@link #build} gives the rule to callers that report it themselves,
 * such as {@code ./subscriptions.sh}.
 */
public final class SubscriptionFactory {

    private static final Logger LOG = Logger.getLogger(SubscriptionFactory.class);

    /**
     * One entry of {@code previousSecrets} as stored.
     *
     * @param secret the secret string
     * @param expiresAt epoch seconds
     */
    public record StoredPreviousSecret(String secret, long expiresAt) {
        @Override
        public String toString() {
            return "StoredPreviousSecret[***, expiresAt=" + expiresAt + "]";
        }
    }

    private SubscriptionFactory() {
    }

    /**
     * Builds the subscription or refuses it with a WARN.
     *
     * @param previousSecrets the {@code previousSecrets} entries, in stored order; empty when absent
     * @param headers the static headers, name to value; empty when absent
     * @return the subscription, or empty (after a WARN naming the id and the rule) when it cannot be used
     */
    static Optional<Subscription> create(String id, String url, Collection<String> events, Collection<String> mailboxes,
            String secret, List<StoredPreviousSecret> previousSecrets, Map<String, String> headers, boolean enabled) {
        if (id == null || id.isBlank()) {
            LOG.warn("Skipping a subscription without id");
            return Optional.empty();
        }
        try {
            return Optional.of(build(id, url, events, mailboxes, secret, previousSecrets, headers, enabled));
        } catch (IllegalArgumentException e) {
            LOG.warnf("Skipping subscription %s: %s", id, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Builds a subscription by the rules of CONTRACT section 4, the ones the functions apply when they read it.
     *
     * @param id the subscription id; not blank
     * @param url where to POST; not blank (trimmed)
     * @param events FreeScout event names; empty means all. An unknown name is kept (it never matches) with a WARN
     * @param mailboxes mailbox ids as decimal strings; empty means all
     * @param secret the current secret ({@link WebhookSecret#of})
     * @param previousSecrets the {@code previousSecrets} entries, in stored order; empty when absent
     * @param headers the static headers, name to value ({@link StaticHeaders#problem}); empty when absent
     * @param enabled whether it receives anything
     * @return the subscription
     * @throws IllegalArgumentException naming the rule broken (never a secret or a header value)
     */
    public static Subscription build(String id, String url, Collection<String> events, Collection<String> mailboxes,
            String secret, List<StoredPreviousSecret> previousSecrets, Map<String, String> headers, boolean enabled) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("it has no id");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("it has no url");
        }
        WebhookSecret webhookSecret = WebhookSecret.of(secret);
        List<PreviousSecret> previous = new ArrayList<>();
        for (int i = 0; i < previousSecrets.size(); i++) {
            StoredPreviousSecret stored = previousSecrets.get(i);
            WebhookSecret oldSecret;
            try {
                oldSecret = WebhookSecret.of(stored.secret());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("previousSecrets[" + i + "]: " + e.getMessage());
            }
            if (stored.expiresAt() < Instant.MIN.getEpochSecond() || stored.expiresAt() > Instant.MAX.getEpochSecond()) {
                throw new IllegalArgumentException("previousSecrets[" + i + "]: expiresAt is out of range");
            }
            previous.add(new PreviousSecret(oldSecret, Instant.ofEpochSecond(stored.expiresAt())));
        }
        Optional<String> headerProblem = StaticHeaders.problem(headers);
        if (headerProblem.isPresent()) {
            throw new IllegalArgumentException(headerProblem.get());
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
                throw new IllegalArgumentException("mailbox '" + mailbox + "' is not a number");
            }
        }
        return new Subscription(id, url.trim(), eventNames, mailboxIds, webhookSecret, previous, headers, enabled);
    }
}
