package io.conversationwebhooks.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.testing.CapturedLogs;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Operational events through SNS on the emulator (moto_server): an SQS queue subscribed to the topic receives what was
 * published, as a subscriber of the operator's topic would.
 */
class SnsOperationalEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static DynamoDbEmulator emulator;
    private static SnsClient sns;
    private static SqsClient sqs;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T22:00:00Z"), ZoneOffset.UTC);

    @BeforeAll
    static void start() {
        emulator = DynamoDbEmulator.start();
        sns = emulator.sns();
        sqs = emulator.sqs();
    }

    @AfterAll
    static void stop() {
        sns.close();
        sqs.close();
        emulator.close();
    }

    @Test
    void should_deliver_each_event_as_json_with_its_type_as_message_attribute_to_the_topics_subscribers() throws Exception {
        // given
        String topicArn = sns.createTopic(b -> b.name("webhooks-events-" + System.nanoTime())).topicArn();
        String queueUrl = subscribedQueue(topicArn);
        CapturedEmf emf = new CapturedEmf();
        OperationsReport report = new CloudWatchOperationsReport(new EmfMetrics(emf, "Test", false),
                new SnsOperationalEvents(sns, topicArn), clock);
        DeliveryContext delivery = new DeliveryContext("crm", "42", "msg_2Ab", "convo.status");

        // when
        report.subscriptionDisabled(delivery, "HTTP 410 Gone", null, 410, "HTTP 410 Gone");
        report.deadLettered(delivery, "retry schedule used up", 8, 503, "HTTP 503");
        report.subscriptionRecovered(delivery, Instant.parse("2026-11-29T10:00:00Z"));
        report.invocationEnded(MetricNames.RETRY_FUNCTION);

        // then
        List<Message> messages = receive(queueUrl, 3);
        assertEquals(3, messages.size());
        JsonNode disabled = envelope(messages, "subscription.disabled");
        assertEquals("conversation-webhooks: subscription.disabled crm", disabled.get("Subject").asText());
        assertEquals("subscription.disabled", disabled.at("/MessageAttributes/type/Value").asText());
        JsonNode event = JSON.readTree(disabled.get("Message").asText());
        assertEquals("{\"type\":\"subscription.disabled\",\"time\":\"2026-11-30T22:00:00Z\",\"subscriptionId\":\"crm\","
                + "\"reason\":\"HTTP 410 Gone\",\"conversationId\":\"42\",\"webhookId\":\"msg_2Ab\",\"event\":\"convo.status\","
                + "\"lastStatus\":410,\"lastError\":\"HTTP 410 Gone\",\"failingSince\":null,\"attempts\":0}", event.toString());
        JsonNode deadLettered = JSON.readTree(envelope(messages, "delivery.dead_lettered").get("Message").asText());
        assertEquals("retry schedule used up", deadLettered.get("reason").asText());
        assertEquals(503, deadLettered.get("lastStatus").asInt());
        assertEquals(8, deadLettered.get("attempts").asInt());
        JsonNode recovered = JSON.readTree(envelope(messages, "subscription.recovered").get("Message").asText());
        assertEquals("2026-11-29T10:00:00Z", recovered.get("failingSince").asText());
        assertFalse(emf.lines().get(0).has(MetricNames.EVENTS_NOT_PUBLISHED), "all published");
    }

    @Test
    void should_log_and_count_an_event_that_cannot_be_published_and_never_throw() {
        // given: a topic that does not exist
        String missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic-" + System.nanoTime();
        CapturedEmf emf = new CapturedEmf();
        OperationsReport report = new CloudWatchOperationsReport(new EmfMetrics(emf, "Test", false),
                new SnsOperationalEvents(sns, missing), clock);

        // when
        List<String> logged;
        try (CapturedLogs logs = CapturedLogs.capture()) {
            report.deadLettered(new DeliveryContext("crm", "42", "msg_2Ab", "convo.status"), "retry schedule used up", 8,
                    503, "HTTP 503");
            report.invocationEnded(MetricNames.RETRY_FUNCTION);
            logged = logs.lines();
        }

        // then
        assertTrue(logged.stream().anyMatch(line -> line.startsWith("ERROR ")
                && line.contains("Cannot publish delivery.dead_lettered for subscription crm")), logged.toString());
        JsonNode line = emf.lines().get(0);
        assertEquals(1, line.get(MetricNames.EVENTS_NOT_PUBLISHED).asInt());
        assertEquals(1, line.get("DeliveriesDeadLettered").asInt(), "the dead letter is counted all the same");
    }

    @Test
    void the_subject_is_printable_ascii_of_at_most_100_characters() {
        OperationalEvent event = new OperationalEvent(OperationalEvent.SUBSCRIPTION_DISABLED, Instant.EPOCH,
                "crm\nwith é and a very long id " + "x".repeat(100), null, null, null, null, 0, null, null, 0);
        String subject = SnsOperationalEvents.subject(event);
        assertEquals(100, subject.length());
        assertTrue(subject.startsWith("conversation-webhooks: subscription.disabled crm?with ? and"), subject);
    }

    private static String subscribedQueue(String topicArn) {
        String queueUrl = sqs.createQueue(b -> b.queueName("events-" + System.nanoTime())).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(queueArn));
        return queueUrl;
    }

    private static List<Message> receive(String queueUrl, int expected) {
        List<Message> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 10 && messages.size() < expected; i++) {
            messages.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages());
        }
        return messages;
    }

    /** The SNS envelope ({@code Type, Subject, Message, MessageAttributes, ...}) of the message of one event type. */
    private static JsonNode envelope(List<Message> messages, String type) throws Exception {
        for (Message message : messages) {
            JsonNode envelope = JSON.readTree(message.body());
            if (type.equals(envelope.at("/MessageAttributes/type/Value").asText())) {
                return envelope;
            }
        }
        throw new AssertionError("no " + type + " in " + messages.stream().map(Message::body).toList());
    }
}
