package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.conversationwebhooks.testing.Events;
import io.conversationwebhooks.testing.InjectReceiver;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.ReceiverResource;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The function as Lambda runs it: events go through the Lambda Runtime API (Quarkus' mock event server) and
 * webhooks arrive at a real HTTP receiver. Subscriptions come from configuration ({@link ReceiverResource}).
 */
@QuarkusTest
@QuarkusTestResource(value = ReceiverResource.class, restrictToAnnotatedClass = true)
class ConversationStreamFunctionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectReceiver
    WebhookReceiver receiver;

    @BeforeEach
    void reset() {
        receiver.reset();
    }

    @Test
    void status_change_is_sent_signed_to_matching_subscribers_with_exact_headers() throws Exception {
        // given
        long before = Instant.now().getEpochSecond();

        // when
        String response = LambdaRuntime.invoke(Events.read("status-change.json"));

        // then
        assertEquals("{\"batchItemFailures\":[]}", response);
        List<Received> all = receiver.requests("/all");
        assertEquals(1, all.size());
        Received request = all.get(0);
        assertEquals("POST", request.method());
        assertEquals("application/json; charset=utf-8", request.header("content-type"));
        assertEquals("convo.status", request.header("x-freescout-event"));
        assertEquals(Signatures.freeScoutSignature(ReceiverResource.ALL_SECRET, request.body()),
                request.header("x-freescout-signature"));
        assertTrue(request.header("webhook-id").matches("msg_[0-9a-f]{32}"), request.header("webhook-id"));
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertTrue(timestamp >= before && timestamp <= Instant.now().getEpochSecond(), "webhook-timestamp " + timestamp);
        Signatures.assertStandardWebhooksValid(request, ReceiverResource.ALL_SECRET);

        JsonNode body = JSON.readTree(request.body());
        assertEquals(111, body.get("id").intValue());
        assertEquals("pending", body.get("status").textValue());
        assertEquals("published", body.get("state").textValue());
        assertEquals("email", body.get("type").textValue());
        assertEquals(1, body.get("mailboxId").intValue());

        List<Received> statusOnly = receiver.requests("/status-only");
        assertEquals(1, statusOnly.size());
        assertEquals(Signatures.freeScoutSignature(ReceiverResource.PLAIN_SECRET, statusOnly.get(0).body()),
                statusOnly.get(0).header("x-freescout-signature"));
        Signatures.assertStandardWebhooksValid(statusOnly.get(0), ReceiverResource.PLAIN_SECRET);
        assertEquals(request.header("webhook-id"), statusOnly.get(0).header("webhook-id"));

        assertEquals(List.of(), receiver.requests("/mailbox-2"), "conversation 111 is in mailbox 1");
        assertEquals(List.of(), receiver.requests("/disabled"));
    }

    @Test
    void send_reply_and_close_yields_exactly_one_status_webhook() throws Exception {
        String response = LambdaRuntime.invoke(Events.read("send-reply-and-close.json"));

        assertEquals("{\"batchItemFailures\":[]}", response);
        List<Received> all = receiver.requests("/all");
        assertEquals(List.of("convo.status"), events(all), () -> all.stream().map(r -> r.at() + " " + r.header("webhook-id") + " " + r.header("webhook-timestamp") + " " + describe(r)).toList().toString());
        JsonNode body = JSON.readTree(all.get(0).body());
        assertEquals("closed", body.get("status").textValue());
        assertEquals(3, body.get("threadsCount").intValue());
        assertEquals("2026-11-30T11:30:45Z", body.get("closedAt").textValue());
        assertEquals("user", body.get("assignee").get("type").textValue());
    }

    static Stream<Arguments> sampleEvents() {
        return Stream.of(
                Arguments.of("status-change.json", List.of("111 convo.status")),
                Arguments.of("send-reply-and-close.json", List.of("112 convo.status")),
                Arguments.of("unassign.json", List.of("113 convo.assigned")),
                Arguments.of("create.json", List.of("114 convo.created")),
                Arguments.of("delete.json", List.of("115 convo.deleted")),
                Arguments.of("ttl-expiry.json", List.of("116 convo.deleted_forever")),
                Arguments.of("mixed-batch.json", List.of("101 convo.status", "101 convo.assigned", "101 convo.status",
                        "102 convo.moved", "102 convo.assigned", "102 convo.status")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sampleEvents")
    void every_sample_event_sends_its_webhooks_in_order_per_conversation(String file, List<String> expected)
            throws Exception {
        String response = LambdaRuntime.invoke(Events.read(file));

        assertEquals("{\"batchItemFailures\":[]}", response);
        List<String> received = receiver.requests("/all").stream().map(ConversationStreamFunctionTest::describe)
                .sorted(java.util.Comparator.comparing((String line) -> line.split(" ")[0])) // stable: keeps order per conversation
                .toList();
        assertEquals(expected, received);
        assertEquals(expected.size(), receiver.requests("/all").stream().map(r -> r.header("webhook-id")).distinct().count(),
                "every (record, event) has its own webhook-id");
    }

    @Test
    void unassign_sends_a_null_assignee() throws Exception {
        LambdaRuntime.invoke(Events.read("unassign.json"));

        JsonNode body = JSON.readTree(receiver.requests("/all").get(0).body());
        assertTrue(body.has("assignee"));
        assertTrue(body.get("assignee").isNull());
    }

    @Test
    void mailbox_filter_sees_the_move_into_its_mailbox_and_what_follows() {
        LambdaRuntime.invoke(Events.read("mixed-batch.json"));

        assertEquals(List.of("102 convo.moved", "102 convo.assigned", "102 convo.status"),
                receiver.requests("/mailbox-2").stream().map(ConversationStreamFunctionTest::describe).toList());
    }

    @Test
    void a_move_reaches_subscribers_of_the_old_mailbox_too() {
        LambdaRuntime.invoke(Events.read("mixed-batch.json"));

        assertEquals(List.of("101 convo.status", "101 convo.assigned", "101 convo.status", "102 convo.moved"),
                receiver.requests("/mailbox-1").stream().map(ConversationStreamFunctionTest::describe)
                        .sorted(java.util.Comparator.comparing((String line) -> line.split(" ")[0])).toList(),
                "102 left mailbox 1: its move is told there, its later events are not");
    }

    @Test
    void a_subscriber_failing_one_event_stops_its_later_events_while_others_get_all() {
        // given: "all" refuses convo.assigned of conversation 102 (record 5 yields assigned, then status)
        receiver.rule("/all", request -> describe(request).equals("102 convo.assigned") ? Answer.status(500) : null);

        // when
        String response = LambdaRuntime.invoke(Events.read("mixed-batch.json"));

        // then
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"100000000004219115687\"}]}", response);
        assertEquals(List.of("102 convo.moved", "102 convo.assigned", "102 convo.assigned", "102 convo.assigned"),
                receiver.requests("/all").stream().map(ConversationStreamFunctionTest::describe)
                        .filter(line -> line.startsWith("102 ")).toList(), "no convo.status after the failed event");
        assertEquals(List.of("102 convo.moved", "102 convo.assigned", "102 convo.status"),
                receiver.requests("/mailbox-2").stream().map(ConversationStreamFunctionTest::describe).toList());
    }

    @Test
    void too_many_requests_is_retried_inline() {
        receiver.script("/all", Answer.status(429), Answer.status(202));

        String response = LambdaRuntime.invoke(Events.read("status-change.json"));

        assertEquals("{\"batchItemFailures\":[]}", response);
        assertEquals(2, receiver.requests("/all").size());
    }

    @Test
    void a_failing_conversation_is_reported_with_its_later_records_while_others_are_delivered() {
        // given: the "all" subscriber fails every request about conversation 101
        receiver.rule("/all", request -> request.bodyText().startsWith("{\"id\":101,") ? Answer.status(503) : null);

        // when
        String response = LambdaRuntime.invoke(Events.read("mixed-batch.json"));

        // then: 101's first record failed after 3 attempts; its two later records were held back, not sent
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"100000000004219100001\"},"
                + "{\"itemIdentifier\":\"100000000004219111219\"},{\"itemIdentifier\":\"100000000004219123435\"}]}", response);
        List<Received> about101 = receiver.requests("/all").stream().filter(r -> describe(r).startsWith("101 ")).toList();
        assertEquals(3, about101.size(), "three inline attempts of the first record, nothing after it");
        assertEquals(1, about101.stream().map(r -> r.header("webhook-id")).distinct().count(), "retries keep the webhook-id");
        about101.forEach(r -> Signatures.assertStandardWebhooksValid(r, ReceiverResource.ALL_SECRET));
        assertEquals(List.of("102 convo.moved", "102 convo.assigned", "102 convo.status"),
                receiver.requests("/all").stream().map(ConversationStreamFunctionTest::describe)
                        .filter(line -> line.startsWith("102 ")).toList());
    }

    @Test
    void failures_log_the_subscription_but_never_a_secret_or_signature() {
        receiver.script("/all", Answer.status(500), Answer.status(500), Answer.status(500));
        receiver.script("/status-only", Answer.status(404));

        try (io.conversationwebhooks.testing.CapturedLogs logs = io.conversationwebhooks.testing.CapturedLogs.capture()) {
            LambdaRuntime.invoke(Events.read("status-change.json"));

            String text = logs.text();
            assertTrue(text.contains("to subscription all failed after 3 attempt(s): HTTP 500"), text);
            assertTrue(text.contains("to subscription status-only failed: HTTP 404"), text);
            AddressGuardFunctionTest.assertNoSecret(text);
            for (Received request : receiver.requests()) {
                assertTrue(!text.contains(request.header("x-freescout-signature")), "FreeScout signature in logs");
            }
        }
    }

    @Test
    void a_record_without_sequence_number_is_skipped_and_never_reported_with_an_empty_identifier() throws Exception {
        // given: a batch of a record without SequenceNumber and a record whose delivery fails
        ObjectNode event = (ObjectNode) JSON.readTree(Events.read("status-change.json"));
        ((ObjectNode) event.get("Records").get(0).get("dynamodb")).remove("SequenceNumber");
        ((ArrayNode) event.get("Records")).add(JSON.readTree(Events.read("send-reply-and-close.json")).get("Records").get(0));
        receiver.rule("/all", request -> Answer.status(503));

        // when
        String response = LambdaRuntime.invoke(JSON.writeValueAsString(event));

        // then: only the failed record is reported; the one without identifier was skipped, not sent
        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"100000000004218003172\"}]}", response);
        assertEquals(List.of("112"), receiver.requests("/all").stream().map(r -> describe(r).split(" ")[0]).distinct().toList());
    }

    @Test
    void server_errors_are_retried_inline_until_delivered() {
        receiver.script("/all", Answer.status(503), Answer.status(500), Answer.status(200));

        String response = LambdaRuntime.invoke(Events.read("status-change.json"));

        assertEquals("{\"batchItemFailures\":[]}", response);
        List<Received> all = receiver.requests("/all");
        assertEquals(3, all.size());
        assertEquals(1, all.stream().map(r -> r.header("webhook-id")).distinct().count());
    }

    @Test
    void a_receiver_slower_than_the_timeout_is_retried() {
        // given: the first answer comes after 6 s, past the 5 s delivery timeout of ReceiverResource
        receiver.script("/all", new Answer(204, Map.of(), java.time.Duration.ofSeconds(6)), Answer.status(204));

        String response = LambdaRuntime.invoke(Events.read("status-change.json"));

        assertEquals("{\"batchItemFailures\":[]}", response);
        List<Received> all = receiver.requests("/all");
        assertEquals(2, all.size(), "the timed-out attempt and the retry");
        assertEquals(all.get(0).header("webhook-id"), all.get(1).header("webhook-id"));
    }

    @Test
    void a_redirect_is_a_failure_and_is_never_followed() {
        receiver.script("/all", new Answer(307, Map.of("Location", receiver.url("/redirected")), java.time.Duration.ZERO));

        String response = LambdaRuntime.invoke(Events.read("status-change.json"));

        assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"100000000004217690511\"}]}", response);
        assertEquals(1, receiver.requests("/all").size(), "3xx is not retried inline");
        assertEquals(List.of(), receiver.requests("/redirected"));
    }

    @Test
    void a_malformed_record_is_skipped_without_blocking_the_batch() throws Exception {
        // given: the mixed batch with its second record's status made invalid DynamoDB JSON
        ObjectNode event = (ObjectNode) JSON.readTree(Events.read("mixed-batch.json"));
        ArrayNode records = (ArrayNode) event.get("Records");
        ((ObjectNode) records.get(1).get("dynamodb").get("NewImage")).putObject("status").put("N", "not-a-number");

        // when
        String response = LambdaRuntime.invoke(JSON.writeValueAsString(event));

        // then: not reported (a retry cannot cure it), and the rest of 102 and the other conversations go on
        assertEquals("{\"batchItemFailures\":[]}", response);
        assertEquals(List.of("101 convo.status", "101 convo.assigned", "101 convo.status", "102 convo.assigned",
                "102 convo.status"),
                receiver.requests("/all").stream().map(ConversationStreamFunctionTest::describe)
                        .sorted(java.util.Comparator.comparing((String line) -> line.split(" ")[0])).toList());
    }

    @Test
    void a_no_op_edit_sends_nothing() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(Events.read("mixed-batch.json"));
        ArrayNode records = (ArrayNode) event.get("Records");
        ArrayNode only103 = JSON.createArrayNode();
        records.forEach(record -> {
            if ("103".equals(record.get("dynamodb").get("Keys").get("id").get("N").textValue())) {
                only103.add(record);
            }
        });
        event.set("Records", only103);

        String response = LambdaRuntime.invoke(JSON.writeValueAsString(event));

        assertEquals("{\"batchItemFailures\":[]}", response);
        assertEquals(2, only103.size());
        assertEquals(List.of(), receiver.requests());
    }

    @Test
    void the_same_record_keeps_its_webhook_id_across_redeliveries() {
        LambdaRuntime.invoke(Events.read("status-change.json"));
        LambdaRuntime.invoke(Events.read("status-change.json"));

        List<Received> all = receiver.requests("/all");
        assertEquals(2, all.size());
        assertEquals(all.get(0).header("webhook-id"), all.get(1).header("webhook-id"));
    }

    private static List<String> events(List<Received> requests) {
        return requests.stream().map(r -> r.header("x-freescout-event")).toList();
    }

    private static String describe(Received request) {
        try {
            return JSON.readTree(request.body()).get("id").asText() + " " + request.header("x-freescout-event");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
