package io.conversationwebhooks.change;

import java.util.Arrays;
import java.util.Optional;

/**
 * The webhook events, with FreeScout's names, in the order they are sent when one record yields several
 * (CONTRACT section 5).
 */
public enum ConversationEvent {
    /** INSERT of a non-draft conversation, or a draft published. */
    CREATED("convo.created", "0"),
    /** {@code mailboxId} changed. */
    MOVED("convo.moved", "1"),
    /** {@code assignee.id} changed, unassigning included. */
    ASSIGNED("convo.assigned", "2"),
    /** {@code status} changed. */
    STATUS("convo.status", "3"),
    /** State went published to deleted (moved to trash). */
    DELETED("convo.deleted", "4"),
    /** State went deleted to published (restored from trash). */
    RESTORED("convo.restored", "5"),
    /** The item was removed from the table (also by TTL expiry). */
    DELETED_FOREVER("convo.deleted_forever", "6");

    private final String eventName;
    private final String position;

    ConversationEvent(String eventName, String position) {
        this.eventName = eventName;
        this.position = position;
    }

    /** FreeScout's event name, sent as {@code X-FreeScout-Event}. */
    public String eventName() {
        return eventName;
    }

    /**
     * The event's place in the contract order as stored data: the ledger's dead-letter sort key ends with it, so
     * dead letters replay in contract order. It is fixed per event, never derived from the declaration order
     * ({@code ordinal()}), so stored keys keep their order whatever events are added: a new event gets a code that
     * sorts between its neighbours as text (e.g. {@code "15"} between {@code "1"} and {@code "2"}).
     *
     * @return one or more decimal digits; the values {@code "0"} to {@code "6"} are in stored items and never change
     */
    public String position() {
        return position;
    }

    /** The event with this FreeScout name, if any. */
    public static Optional<ConversationEvent> byName(String eventName) {
        return Arrays.stream(values()).filter(event -> event.eventName.equals(eventName)).findFirst();
    }
}
