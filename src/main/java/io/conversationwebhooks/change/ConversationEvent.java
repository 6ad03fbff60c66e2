package io.conversationwebhooks.change;

import java.util.Arrays;
import java.util.Optional;

/**
 * The webhook events, with FreeScout's names, in the order they are sent when one record yields several
 * (CONTRACT section 5).
 */
public enum ConversationEvent {
    /** INSERT of a non-draft conversation, or a draft published. */
    CREATED("convo.created"),
    /** {@code mailboxId} changed. */
    MOVED("convo.moved"),
    /** {@code assignee.id} changed, unassigning included. */
    ASSIGNED("convo.assigned"),
    /** {@code status} changed. */
    STATUS("convo.status"),
    /** State went published to deleted (moved to trash). */
    DELETED("convo.deleted"),
    /** State went deleted to published (restored from trash). */
    RESTORED("convo.restored"),
    /** The item was removed from the table (also by TTL expiry). */
    DELETED_FOREVER("convo.deleted_forever");

    private final String eventName;

    ConversationEvent(String eventName) {
        this.eventName = eventName;
    }

    /** FreeScout's event name, sent as {@code X-FreeScout-Event}. */
    public String eventName() {
        return eventName;
    }

    /** The event with this FreeScout name, if any. */
    public static Optional<ConversationEvent> byName(String eventName) {
        return Arrays.stream(values()).filter(event -> event.eventName.equals(eventName)).findFirst();
    }
}
