package io.conversationwebhooks.stream;

/**
 * A stream record that can never be processed: not a DynamoDB Streams record, an image that is not valid DynamoDB
 * JSON, or a missing key. Such a record is logged with its identity, counted and skipped (CONTRACT section 7); it is
 * never reported for retry, since a retry cannot succeed.
 */
public class MalformedRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String eventId;
    private final String sequenceNumber;

    /**
     * @param eventId the record's {@code eventID}, or null when it has none
     * @param sequenceNumber the record's {@code dynamodb.SequenceNumber}, or null when it has none
     * @param message what is wrong, naming the attribute; never a value that could be a secret
     */
    public MalformedRecordException(String eventId, String sequenceNumber, String message) {
        super(message);
        this.eventId = eventId;
        this.sequenceNumber = sequenceNumber;
    }

    /** The record's {@code eventID}, or null. */
    public String eventId() {
        return eventId;
    }

    /** The record's sequence number, or null. */
    public String sequenceNumber() {
        return sequenceNumber;
    }
}
