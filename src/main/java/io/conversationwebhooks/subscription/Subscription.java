package io.conversationwebhooks.subscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.conversationwebhooks.change.ConversationEvent;

/**
 * A webhook subscriber (CONTRACT section 4). Its {@code toString} masks the secrets and shows header names only, never
 * their values.
 *
 * @param id subscription id, used in logs
 * @param url where to POST, as configured; checked when a delivery is made (a malformed URL is refused there)
 * @param events FreeScout event names to receive; empty means all
 * @param mailboxes mailbox ids (canonical decimal strings) to receive; empty means all
 * @param secret the current signing secret
 * @param previousSecrets secrets being rotated out, in stored order; each signs until it expires (CONTRACT section 6)
 * @param headers static headers added to every request, name to value, in stored order; valid by
 *        {@link StaticHeaders}
 * @param enabled whether it receives anything
 */
public record Subscription(String id, String url, Set<String> events, Set<String> mailboxes, WebhookSecret secret,
        List<PreviousSecret> previousSecrets, Map<String, String> headers, boolean enabled) {

    public Subscription {
        events = Set.copyOf(events);
        mailboxes = Set.copyOf(mailboxes);
        previousSecrets = List.copyOf(previousSecrets);
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A subscription with one secret and no static headers. */
    public Subscription(String id, String url, Set<String> events, Set<String> mailboxes, WebhookSecret secret,
            boolean enabled) {
        this(id, url, events, mailboxes, secret, List.of(), Map.of(), enabled);
    }

    /**
     * Whether this subscription receives the event for a conversation in any of the given mailboxes.
     *
     * @param event the event
     * @param conversationMailboxes the conversation's mailbox ids (canonical); for {@code convo.moved} both the old and
     *        the new one, so a subscriber of either mailbox hears of the move
     */
    public boolean accepts(ConversationEvent event, Set<String> conversationMailboxes) {
        if (!enabled) {
            return false;
        }
        if (!events.isEmpty() && !events.contains(event.eventName())) {
            return false;
        }
        return mailboxes.isEmpty() || conversationMailboxes.stream().anyMatch(mailboxes::contains);
    }

    /**
     * The secrets that sign {@code webhook-signature} for an attempt made at {@code at} (CONTRACT section 6): the
     * current secret first, then each previous secret not yet expired then, in stored order.
     *
     * @param at the attempt's time (its {@code webhook-timestamp})
     * @return one or more secrets
     */
    public List<WebhookSecret> secretsValidAt(Instant at) {
        List<WebhookSecret> secrets = new ArrayList<>(1 + previousSecrets.size());
        secrets.add(secret);
        for (PreviousSecret previous : previousSecrets) {
            if (previous.validAt(at)) {
                secrets.add(previous.secret());
            }
        }
        return secrets;
    }

    @Override
    public String toString() {
        return "Subscription[id=" + id + ", url=" + url + ", events=" + events + ", mailboxes=" + mailboxes
                + ", previousSecrets=" + previousSecrets.size() + ", headers=" + headers.keySet() + ", enabled=" + enabled
                + "]";
    }
}
