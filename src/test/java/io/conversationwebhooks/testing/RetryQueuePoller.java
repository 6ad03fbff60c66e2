package io.conversationwebhooks.testing;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Does for the retry function what Lambda's SQS event source mapping does
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html">Using Lambda with Amazon SQS</a>): receives
 * up to 10 messages, hands them to the function as an SQS event, and deletes the messages the function did not report
 * in {@code batchItemFailures}. Reported messages stay in flight until the visibility the function gave them ends.
 */
public final class RetryQueuePoller {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final Function<String, String> function;
    private final List<String> responses = new ArrayList<>();

    /**
     * @param sqs a client for the queue
     * @param queueUrl the retry queue
     * @param function invokes the retry function: SQS event JSON in, response JSON out
     */
    public RetryQueuePoller(SqsClient sqs, String queueUrl, Function<String, String> function) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        this.function = function;
    }

    /**
     * One poll: waits up to a second for messages, invokes the function with them, deletes those not reported.
     *
     * @return the messages handed to the function
     */
    public int pollOnce() {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                .visibilityTimeout(30).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        String response = function.apply(event(messages));
        responses.add(response);
        Set<String> failed = new HashSet<>();
        try {
            JsonNode failures = JSON.readTree(response).get("batchItemFailures");
            failures.forEach(failure -> failed.add(failure.get("itemIdentifier").asText()));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("retry function response is not a batch response: " + response, e);
        }
        for (Message message : messages) {
            if (!failed.contains(message.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return messages.size();
    }

    /**
     * Polls until the queue holds no message at all (visible, in flight or delayed).
     *
     * @param bound safety limit, so a broken retry function fails the test instead of hanging it
     * @throws AssertionError when messages remain after the bound
     */
    public void drain(Duration bound) {
        Instant giveUp = Instant.now().plus(bound);
        while (messagesLeft() > 0) {
            if (Instant.now().isAfter(giveUp)) {
                throw new AssertionError(messagesLeft() + " messages still on the retry queue after " + bound);
            }
            pollOnce();
        }
    }

    /** Messages on the queue: visible, in flight and delayed. */
    public int messagesLeft() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** The function's responses so far, in order. */
    public List<String> responses() {
        return List.copyOf(responses);
    }

    /** The Lambda SQS event for received messages. */
    public String event(List<Message> messages) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            ObjectNode record = records.addObject();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            record.putObject("messageAttributes");
            record.put("md5OfBody", message.md5OfBody());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", queueArn);
            record.put("awsRegion", DynamoDbEmulator.REGION);
        }
        return event.toString();
    }
}
