package io.conversationwebhooks.change;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.stream.AttributeValueJson;
import io.conversationwebhooks.stream.ConversationImage;
import io.conversationwebhooks.stream.OperationType;

/**
 * Change detection, table-driven from {@code change-detection-cases.json}: each case is a record's eventName, its
 * images in DynamoDB JSON, and the FreeScout events CONTRACT section 5 says it yields, in order.
 */
class ChangeDetectorTest {

    private static final String CASES = "/change-detection-cases.json";

    static Stream<Arguments> cases() {
        return StreamSupport.stream(readCases().spliterator(), false)
                .map(testCase -> Arguments.of(Named.of(testCase.get("name").asText(), testCase)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void should_yield_the_events_of_the_contract(JsonNode testCase) {
        // given
        OperationType eventName = OperationType.valueOf(testCase.get("eventName").asText());
        ConversationImage oldImage = image(testCase, "OldImage");
        ConversationImage newImage = image(testCase, "NewImage");

        // when
        List<String> events = ChangeDetector.detect(eventName, oldImage, newImage).stream()
                .map(ConversationEvent::eventName)
                .toList();

        // then
        assertEquals(expectedEvents(testCase), events);
    }

    @Test
    void the_cases_cover_every_event() {
        Set<String> covered = new LinkedHashSet<>();
        readCases().forEach(testCase -> covered.addAll(expectedEvents(testCase)));

        assertEquals(Set.of("convo.created", "convo.moved", "convo.assigned", "convo.status", "convo.deleted",
                "convo.restored", "convo.deleted_forever"), covered);
    }

    @Test
    void events_are_declared_in_contract_order() {
        // CONTRACT section 5: the order events of one record are sent in
        assertEquals(List.of("convo.created", "convo.moved", "convo.assigned", "convo.status", "convo.deleted",
                "convo.restored", "convo.deleted_forever"),
                Arrays.stream(ConversationEvent.values()).map(ConversationEvent::eventName).toList());
    }

    private static List<String> expectedEvents(JsonNode testCase) {
        List<String> events = new ArrayList<>();
        testCase.get("events").forEach(event -> events.add(event.asText()));
        return events;
    }

    private static ConversationImage image(JsonNode testCase, String name) {
        JsonNode image = testCase.get(name);
        return image == null ? null : new ConversationImage(AttributeValueJson.decodeImage(image, name));
    }

    private static JsonNode readCases() {
        try (InputStream in = ChangeDetectorTest.class.getResourceAsStream(CASES)) {
            if (in == null) {
                throw new IllegalStateException(CASES + " is not on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
