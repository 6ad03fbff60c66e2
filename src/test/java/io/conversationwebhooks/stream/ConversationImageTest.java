package io.conversationwebhooks.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ConversationImageTest {

    // Codes from FreeScout's Conversation model (CONTRACT section 3).
    @ParameterizedTest(name = "status N {0} -> {1}")
    @CsvSource({ "1, active", "2, pending", "3, closed", "4, spam", "3.0, closed", "9, 9", "7.0, 7", "0, 0" })
    void should_name_a_numeric_status(String code, String name) {
        assertEquals(Optional.of(name), image("status", AttributeValue.fromN(code)).status());
    }

    @ParameterizedTest(name = "status S {0} -> {1}")
    @CsvSource({ "closed, closed", "3, closed", "escalated, escalated", "7.0, 7" })
    void should_name_a_string_status(String text, String name) {
        assertEquals(Optional.of(name), image("status", AttributeValue.fromS(text)).status());
    }

    @ParameterizedTest(name = "state {0} -> {1}")
    @CsvSource({ "1, draft", "2, published", "3, deleted", "4, 4" })
    void should_name_the_state(String code, String name) {
        assertEquals(Optional.of(name), image("state", AttributeValue.fromN(code)).state());
    }

    @ParameterizedTest(name = "type {0} -> {1}")
    @CsvSource({ "1, email", "2, phone", "3, chat", "4, custom", "5, 5" })
    void should_name_the_type(String code, String name) {
        assertEquals(Optional.of(name), image("type", AttributeValue.fromN(code)).type());
    }

    @Test
    void should_have_no_status_when_it_is_absent_or_NULL() {
        assertEquals(Optional.empty(), new ConversationImage(Map.of()).status());
        assertEquals(Optional.empty(), image("status", AttributeValue.fromNul(true)).status());
    }

    @Test
    void should_read_the_mailbox_id_in_canonical_form() {
        assertEquals(Optional.of("7"), image("mailboxId", AttributeValue.fromN("7.0")).mailboxId());
        assertEquals(Optional.of("7"), image("mailboxId", AttributeValue.fromS("7")).mailboxId());
        assertEquals(Optional.empty(), image("mailboxId", AttributeValue.fromNul(true)).mailboxId());
    }

    @Test
    void should_read_the_assignee_id_in_canonical_form() {
        AttributeValue assignee = AttributeValue.fromM(Map.of("id", AttributeValue.fromN("7.0"), "firstName",
                AttributeValue.fromS("Tomasz")));

        assertEquals(Optional.of("7"), image("assignee", assignee).assigneeId());
    }

    @Test
    void should_have_no_assignee_when_it_is_NULL() {
        assertEquals(Optional.empty(), image("assignee", AttributeValue.fromNul(true)).assigneeId());
    }

    @Test
    void should_have_no_assignee_when_it_is_absent() {
        assertEquals(Optional.empty(), new ConversationImage(Map.of("id", AttributeValue.fromN("1"))).assigneeId());
    }

    @Test
    void should_have_no_assignee_when_the_assignee_map_has_no_id() {
        AttributeValue assignee = AttributeValue.fromM(Map.of("firstName", AttributeValue.fromS("Tomasz")));

        assertEquals(Optional.empty(), image("assignee", assignee).assigneeId());
    }

    @Test
    void should_hide_a_NULL_attribute_from_get() {
        ConversationImage image = new ConversationImage(
                Map.of("closedAt", AttributeValue.fromNul(true), "subject", AttributeValue.fromS("Hello")));

        assertEquals(Optional.empty(), image.get("closedAt"));
        assertEquals(Optional.of(AttributeValue.fromS("Hello")), image.get("subject"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({ "7, 7", "7.0, 7", "7.50, 7.5", "0.000, 0", "-0, 0", "1E+3, 1000", "' 12 ', 12" })
    void should_write_numbers_in_canonical_form(String number, String canonical) {
        assertEquals(canonical, ConversationImage.canonical(number));
    }

    private static ConversationImage image(String name, AttributeValue value) {
        return new ConversationImage(Map.of(name, value));
    }
}
