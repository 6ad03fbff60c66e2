package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.stream.OperationType;
import io.conversationwebhooks.stream.StreamRecord;

class WebhookIdsTest {

    private static final Pattern FORMAT = Pattern.compile("msg_[0-9a-f]{32}");

    @Test
    void should_be_the_same_for_the_same_record_and_event_on_every_call() {
        // given: the same stream record delivered twice (a Lambda retry decodes it anew)
        StreamRecord first = record("60a03c0aa81a1da353266cbc4bbcd13b", "100000000004218003172");
        StreamRecord redelivered = record("60a03c0aa81a1da353266cbc4bbcd13b", "100000000004218003172");

        // when, then
        assertEquals(WebhookIds.webhookId(first, ConversationEvent.STATUS),
                WebhookIds.webhookId(redelivered, ConversationEvent.STATUS));
    }

    @Test
    void should_differ_per_event_of_one_record() {
        StreamRecord record = record("60a03c0aa81a1da353266cbc4bbcd13b", "100000000004218003172");

        Set<String> ids = Arrays.stream(ConversationEvent.values())
                .map(event -> WebhookIds.webhookId(record, event))
                .collect(Collectors.toSet());

        assertEquals(ConversationEvent.values().length, ids.size());
    }

    @Test
    void should_differ_per_record() {
        StreamRecord record = record("60a03c0aa81a1da353266cbc4bbcd13b", "100000000004218003172");
        StreamRecord otherEventId = record("9f61408e3afb633e50cdf1b20de6f466", "100000000004218003172");
        StreamRecord otherSequence = record("60a03c0aa81a1da353266cbc4bbcd13b", "100000000004218003173");

        String id = WebhookIds.webhookId(record, ConversationEvent.STATUS);

        assertNotEquals(id, WebhookIds.webhookId(otherEventId, ConversationEvent.STATUS));
        assertNotEquals(id, WebhookIds.webhookId(otherSequence, ConversationEvent.STATUS));
    }

    @ParameterizedTest
    @EnumSource(ConversationEvent.class)
    void should_be_msg_and_32_lowercase_hex_digits_without_a_dot(ConversationEvent event) {
        String id = WebhookIds.webhookId(record("a.b.c", "1.2"), event);

        assertTrue(FORMAT.matcher(id).matches(), id);
        assertFalse(id.contains("."), id);
    }

    private static StreamRecord record(String eventId, String sequenceNumber) {
        return new StreamRecord(eventId, OperationType.MODIFY, null, sequenceNumber, BigDecimal.ONE, "112", null, null);
    }
}
