package io.conversationwebhooks.change;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.conversationwebhooks.stream.ConversationImage;
import io.conversationwebhooks.stream.OperationType;
import io.conversationwebhooks.stream.StreamRecord;

/**
 * Derives webhook events from a stream record's old and new image only (CONTRACT section 5), so the result does not
 * depend on which UI action or API call wrote the item. Pure: no I/O, no state.
 *
 * <p>Values are compared by meaning, not by encoding: status {@code N 3} equals status {@code S "closed"}, and
 * {@code 7} equals {@code 7.0}.
 */
public final class ChangeDetector {

    private ChangeDetector() {
    }

    /** Events of a decoded record, in CONTRACT order. */
    public static List<ConversationEvent> detect(StreamRecord record) {
        return detect(record.eventName(), record.oldImage(), record.newImage());
    }

    /**
     * @param eventName INSERT, MODIFY or REMOVE
     * @param oldImage the item before the write; null for INSERT
     * @param newImage the item after the write; null for REMOVE
     * @return the events in CONTRACT order; empty when nothing that webhooks report changed
     */
    public static List<ConversationEvent> detect(OperationType eventName, ConversationImage oldImage,
            ConversationImage newImage) {
        return switch (eventName) {
            case INSERT -> isState(newImage, ConversationImage.DRAFT) ? List.of() : List.of(ConversationEvent.CREATED);
            case REMOVE -> List.of(ConversationEvent.DELETED_FOREVER);
            case MODIFY -> modified(Objects.requireNonNull(oldImage, "oldImage"), Objects.requireNonNull(newImage, "newImage"));
        };
    }

    private static List<ConversationEvent> modified(ConversationImage oldImage, ConversationImage newImage) {
        List<ConversationEvent> events = new ArrayList<>(2);
        Optional<String> oldState = oldImage.state();
        Optional<String> newState = newImage.state();
        if (is(oldState, ConversationImage.DRAFT) && is(newState, ConversationImage.PUBLISHED)) {
            events.add(ConversationEvent.CREATED);
        }
        if (!oldImage.mailboxId().equals(newImage.mailboxId())) {
            events.add(ConversationEvent.MOVED);
        }
        if (!oldImage.assigneeId().equals(newImage.assigneeId())) {
            events.add(ConversationEvent.ASSIGNED);
        }
        if (!oldImage.status().equals(newImage.status())) {
            events.add(ConversationEvent.STATUS);
        }
        if (is(oldState, ConversationImage.PUBLISHED) && is(newState, ConversationImage.DELETED)) {
            events.add(ConversationEvent.DELETED);
        }
        if (is(oldState, ConversationImage.DELETED) && is(newState, ConversationImage.PUBLISHED)) {
            events.add(ConversationEvent.RESTORED);
        }
        return List.copyOf(events);
    }

    private static boolean isState(ConversationImage image, String state) {
        return is(image.state(), state);
    }

    private static boolean is(Optional<String> value, String expected) {
        return value.filter(expected::equals).isPresent();
    }
}
