package io.conversationwebhooks.change;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The stored positions of the events (the dead-letter sort key), which must never move. */
class ConversationEventTest {

    @Test
    void the_stored_positions_are_those_already_in_ledger_items() {
        Map<ConversationEvent, String> stored = Map.of(ConversationEvent.CREATED, "0", ConversationEvent.MOVED, "1",
                ConversationEvent.ASSIGNED, "2", ConversationEvent.STATUS, "3", ConversationEvent.DELETED, "4",
                ConversationEvent.RESTORED, "5", ConversationEvent.DELETED_FOREVER, "6");

        stored.forEach((event, position) -> assertEquals(position, event.position(), event.eventName()));
        assertEquals(stored.size(), ConversationEvent.values().length, "every event has a stored position");
    }

    @Test
    void positions_compared_as_text_give_the_contract_order() {
        List<ConversationEvent> byPosition = Arrays.stream(ConversationEvent.values())
                .sorted(Comparator.comparing(ConversationEvent::position)).toList();

        assertEquals(List.of(ConversationEvent.CREATED, ConversationEvent.MOVED, ConversationEvent.ASSIGNED,
                ConversationEvent.STATUS, ConversationEvent.DELETED, ConversationEvent.RESTORED,
                ConversationEvent.DELETED_FOREVER), byPosition);
    }
}
