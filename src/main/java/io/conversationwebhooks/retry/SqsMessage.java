package io.conversationwebhooks.retry;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message of an {@link SqsEvent}.
 *
 * @param messageId its id, the batch item failure identifier
 * @param receiptHandle the handle for ChangeMessageVisibility
 * @param body the message body
 * @param messageGroupId the FIFO message group ({@code attributes.MessageGroupId}); the message id when absent
 * @param sentAt when SQS accepted the message ({@code attributes.SentTimestamp}, epoch milliseconds); null when absent
 *        or not a number
 */
record SqsMessage(String messageId, String receiptHandle, String body, String messageGroupId, Instant sentAt) {

    /**
     * @return the message, or null when the record has no {@code messageId} (it cannot even be reported)
     */
    static SqsMessage of(JsonNode record) {
        String messageId = text(record, "messageId");
        if (messageId == null || messageId.isEmpty()) {
            return null;
        }
        String group = record.path("attributes").path("MessageGroupId").asText("");
        String sent = record.path("attributes").path("SentTimestamp").asText("");
        Instant sentAt = null;
        if (!sent.isEmpty()) {
            try {
                sentAt = Instant.ofEpochMilli(Long.parseLong(sent));
            } catch (NumberFormatException e) {
                sentAt = null;
            }
        }
        return new SqsMessage(messageId, text(record, "receiptHandle"), text(record, "body"),
                group.isEmpty() ? messageId : group, sentAt);
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record == null ? null : record.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
