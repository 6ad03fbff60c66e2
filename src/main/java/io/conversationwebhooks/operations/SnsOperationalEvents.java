package io.conversationwebhooks.operations;

import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Publishes operational events to an SNS topic
 * (<a href="https://docs.aws.amazon.com/sns/latest/api/API_Publish.html">Publish</a>): the message is the event's JSON
 * ({@link OperationalEvent}), the subject {@code conversation-webhooks: <type> <subscription id>} (cut to SNS's 100
 * characters), and the message attribute {@code type} (String) carries the type, so that subscribers can filter on it
 * with a subscription filter policy.
 */
public final class SnsOperationalEvents implements OperationalEvents {

    private static final Logger LOG = Logger.getLogger(SnsOperationalEvents.class);
    private static final int MAX_SUBJECT = 100;

    private final SnsClient sns;
    private final String topicArn;
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * @param sns the client (its call timeouts bound {@link #publish})
     * @param topicArn the topic ({@code WEBHOOKS_EVENTS_TOPIC_ARN})
     */
    public SnsOperationalEvents(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public boolean publish(OperationalEvent event) {
        try {
            String message = JSON.writeValueAsString(event.toMap());
            String subject = subject(event);
            sns.publish(b -> b.topicArn(topicArn).message(message).subject(subject)
                    .messageAttributes(Map.of("type", MessageAttributeValue.builder().dataType("String")
                            .stringValue(event.type()).build())));
            LOG.debugf("Published %s for subscription %s", event.type(), event.subscriptionId());
            return true;
        } catch (SdkException | JsonProcessingException e) {
            LOG.errorf("Cannot publish %s for subscription %s to the events topic: %s", event.type(),
                    event.subscriptionId(), e.getMessage());
            return false;
        }
    }

    /** Printable ASCII only (SNS subjects must not hold line breaks or control characters), at most 100 characters. */
    static String subject(OperationalEvent event) {
        StringBuilder subject = new StringBuilder("conversation-webhooks: " + event.type() + " " + event.subscriptionId());
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (c < 32 || c > 126) {
                subject.setCharAt(i, '?');
            }
        }
        return subject.length() <= MAX_SUBJECT ? subject.toString() : subject.substring(0, MAX_SUBJECT);
    }
}
