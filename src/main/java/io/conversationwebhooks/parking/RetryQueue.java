package io.conversationwebhooks.parking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS FIFO retry queue ({@code WEBHOOKS_RETRY_QUEUE_URL}, template.yaml {@code DeliveryRetryQueue}).
 *
 * <p>One message group per (conversation, subscriber): SQS hands out a group's messages in the order they were sent,
 * and none while an earlier one is in flight
 * (<a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html">FIFO
 * delivery logic</a>), so a parked delivery keeps the later deliveries of its pair behind it, and no other pair. The
 * deduplication id is derived from (webhook-id, subscription), so parking the same delivery twice within SQS's
 * five-minute deduplication interval enqueues it once. Delays come from
 * <a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html">ChangeMessageVisibility</a>
 * (FIFO queues have no per-message delay). All methods are blocking and throw the SDK's exceptions.
 */
public final class RetryQueue {

    /** Longest visibility timeout SQS accepts, in seconds (12 hours). */
    static final int MAX_VISIBILITY_SECONDS = 43_200;
    /** Kept free below SQS's 12-hour limit for clock differences and the time between receipt and invocation. */
    static final Duration VISIBILITY_MARGIN = Duration.ofMinutes(1);
    /** Longest delay a schedule step may have: 12 hours less ten minutes, so that it always fits one receipt. */
    public static final Duration MAX_DELAY = Duration.ofHours(11).plusMinutes(50);
    private static final int MAX_GROUP_ID = 128;

    private final SqsClient sqs;
    private final String queueUrl;

    /**
     * @param sqs the client
     * @param queueUrl the FIFO queue's URL
     */
    public RetryQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    /** Sends a parked delivery to the end of its group. */
    public void send(ParkedDelivery parked) {
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(parked.toJson())
                .messageGroupId(groupId(parked.delivery().conversationKey(), parked.delivery().subscriptionId()))
                .messageDeduplicationId(deduplicationId(parked.delivery().webhookId(), parked.delivery().subscriptionId())));
    }

    /**
     * Hides a received message (and so its group) for a while: it comes back after {@code delay}, rounded up to whole
     * seconds, or earlier when that would pass SQS's limit of 12 hours from the receipt (then the retry function puts it
     * back for the time left at its next turn).
     *
     * @param sinceReceipt how long ago the message was received (the batch's invocation start is close enough)
     */
    public void delay(String receiptHandle, Duration delay, Duration sinceReceipt) {
        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle)
                .visibilityTimeout(visibilitySeconds(delay, sinceReceipt)));
    }

    /**
     * Visibility timeout for a delay: whole seconds, rounded up, between 0 and what is left of the 12 hours
     * (<a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html">SQS
     * visibility timeout</a>: ChangeMessageVisibility beyond 12 hours from the receipt is rejected) less
     * {@link #VISIBILITY_MARGIN}.
     */
    static int visibilitySeconds(Duration delay, Duration sinceReceipt) {
        if (delay.isNegative() || delay.isZero()) {
            return 0;
        }
        long seconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
        long elapsed = sinceReceipt.isNegative() ? 0 : sinceReceipt.getSeconds() + (sinceReceipt.getNano() > 0 ? 1 : 0);
        long max = Math.max(0, MAX_VISIBILITY_SECONDS - elapsed - VISIBILITY_MARGIN.getSeconds());
        return (int) Math.min(seconds, max);
    }

    /**
     * The message group of a (conversation, subscriber) pair: {@code <conversation key>|<subscription id>} when that is
     * a valid group id (at most 128 characters, alphanumerics and punctuation), otherwise {@code sha256-} and the hex
     * SHA-256 of it.
     */
    static String groupId(String conversationKey, String subscriptionId) {
        String plain = conversationKey + "|" + subscriptionId;
        boolean valid = plain.length() <= MAX_GROUP_ID && plain.chars().allMatch(c -> c > 32 && c < 127);
        return valid ? plain : "sha256-" + sha256(plain);
    }

    /** The deduplication id of a delivery: hex SHA-256 of webhook-id and subscription id. */
    static String deduplicationId(String webhookId, String subscriptionId) {
        return sha256(webhookId + "\n" + subscriptionId);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
