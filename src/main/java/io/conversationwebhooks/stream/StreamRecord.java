package io.conversationwebhooks.stream;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * One decoded DynamoDB Streams record of the conversations table
 * (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html">StreamRecord</a>).
 *
 * @param eventId the record's {@code eventID}, unique per stream record
 * @param eventName INSERT, MODIFY or REMOVE
 * @param eventSourceArn the stream ARN, or null where the source does not send it (moto)
 * @param sequenceNumber the record's sequence number, as sent (decimal digits); the batch item failure identifier
 * @param approximateCreationDateTime when the change was written, in fractional epoch seconds, or null
 * @param conversationId the key {@code id}, as canonical decimal digits
 * @param oldImage the item before the change; null for INSERT
 * @param newImage the item after the change; null for REMOVE
 */
public record StreamRecord(String eventId, OperationType eventName, String eventSourceArn, String sequenceNumber,
        BigDecimal approximateCreationDateTime, String conversationId, ConversationImage oldImage,
        ConversationImage newImage) {

    /**
     * The key that orders processing: records with the same key are delivered one after the other. It is the table
     * (from the stream ARN, when present) and the conversation id.
     */
    public String orderingKey() {
        if (eventSourceArn == null) {
            return conversationId;
        }
        int stream = eventSourceArn.indexOf("/stream/");
        return (stream < 0 ? eventSourceArn : eventSourceArn.substring(0, stream)) + "#" + conversationId;
    }

    /** The image a webhook describes: the new image, or the old one for REMOVE. */
    public ConversationImage currentImage() {
        return newImage != null ? newImage : oldImage;
    }

    /** The old image, when the record has one. */
    public Optional<ConversationImage> old() {
        return Optional.ofNullable(oldImage);
    }
}
