package io.conversationwebhooks.subscription;

import java.util.Set;

import io.conversationwebhooks.change.ConversationEvent;

/**
 * A webhook subscriber (CONTRACT section 4). Its {@code toString} masks the secret.
 *
 * @param id subscription id, used in logs
 * @param url where to POST, as configured; checked when a delivery is made (a malformed URL is refused there)
 * @param events FreeScout event names to receive; empty means all
 * @param mailboxes mailbox ids (canonical decimal strings) to receive; empty means all
 * @param secret signing secret
 * @param enabled whether it receives anything
 */
public record Subscription(String id, String url, Set<String> events, Set<String> mailboxes,
        WebhookSecret secret, boolean enabled) {

    public Subscription {
        events = Set.copyOf(events);
        mailboxes = Set.copyOf(mailboxes);
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

    @Override
    public String toString() {
        return "Subscription[id=" + id + ", url=" + url + ", events=" + events + ", mailboxes=" + mailboxes
                + ", enabled=" + enabled + "]";
    }
}
