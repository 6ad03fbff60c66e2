package io.conversationwebhooks.stream;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Decodes one record of a Lambda DynamoDB Streams event into a {@link StreamRecord}
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#services-ddb-params">event shape</a>).
 *
 * <p>Requires what change detection cannot do without: a known {@code eventName}, a sequence number, the key
 * {@code id} (N, or S holding digits), a new image for INSERT and MODIFY and an old image for MODIFY and REMOVE
 * (the stream must be {@code NEW_AND_OLD_IMAGES}). Anything else is a {@link MalformedRecordException}.
 */
public final class StreamRecordDecoder {

    private StreamRecordDecoder() {
    }

    /**
     * @param record one element of the event's {@code Records} array
     * @return the decoded record
     * @throws MalformedRecordException carrying the record's eventID and sequence number (when present) and what is
     *         wrong
     */
    public static StreamRecord decode(JsonNode record) {
        String eventId = text(record, "eventID");
        JsonNode dynamodb = record == null ? null : record.get("dynamodb");
        String sequenceNumber = text(dynamodb, "SequenceNumber");
        try {
            if (record == null || !record.isObject()) {
                throw new IllegalArgumentException("record is not a JSON object");
            }
            String eventSource = text(record, "eventSource");
            if (eventSource != null && !"aws:dynamodb".equals(eventSource)) {
                throw new IllegalArgumentException("eventSource is '" + eventSource + "', not aws:dynamodb");
            }
            if (dynamodb == null || !dynamodb.isObject()) {
                throw new IllegalArgumentException("dynamodb is missing");
            }
            if (sequenceNumber == null || sequenceNumber.isBlank()) {
                throw new IllegalArgumentException("dynamodb.SequenceNumber is missing");
            }
            OperationType eventName = operation(text(record, "eventName"));
            String conversationId = conversationId(AttributeValueJson.decodeImage(dynamodb.get("Keys"), "Keys"));
            ConversationImage oldImage = image(dynamodb, "OldImage");
            ConversationImage newImage = image(dynamodb, "NewImage");
            if (eventName != OperationType.REMOVE && newImage == null) {
                throw new IllegalArgumentException(eventName + " without NewImage (the stream must be NEW_AND_OLD_IMAGES)");
            }
            if (eventName != OperationType.INSERT && oldImage == null) {
                throw new IllegalArgumentException(eventName + " without OldImage (the stream must be NEW_AND_OLD_IMAGES)");
            }
            return new StreamRecord(eventId, eventName, text(record, "eventSourceARN"), sequenceNumber,
                    creationTime(dynamodb.get("ApproximateCreationDateTime")), conversationId,
                    eventName == OperationType.INSERT ? null : oldImage,
                    eventName == OperationType.REMOVE ? null : newImage);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(eventId, sequenceNumber, e.getMessage());
        } catch (RuntimeException e) {
            throw new MalformedRecordException(eventId, sequenceNumber, "cannot be decoded: " + e);
        }
    }

    private static OperationType operation(String eventName) {
        if (eventName == null) {
            throw new IllegalArgumentException("eventName is missing");
        }
        try {
            return OperationType.valueOf(eventName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("eventName '" + eventName + "' is not INSERT, MODIFY or REMOVE");
        }
    }

    private static String conversationId(Map<String, AttributeValue> keys) {
        AttributeValue id = keys.get("id");
        if (id == null) {
            throw new IllegalArgumentException("Keys.id is missing");
        }
        Optional<String> digits = ConversationImage.canonicalNumber(id)
                .filter(value -> value.chars().allMatch(Character::isDigit));
        return digits.orElseThrow(() -> new IllegalArgumentException("Keys.id is not a conversation id (N or S of digits)"));
    }

    private static ConversationImage image(JsonNode dynamodb, String name) {
        JsonNode image = dynamodb.get(name);
        if (image == null || image.isNull()) {
            return null;
        }
        return new ConversationImage(AttributeValueJson.decodeImage(image, name));
    }

    private static BigDecimal creationTime(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("dynamodb.ApproximateCreationDateTime is not a number");
        }
        return value.decimalValue();
    }

    private static String text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
