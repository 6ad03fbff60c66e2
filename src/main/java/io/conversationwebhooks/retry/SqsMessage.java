package io.conversationwebhooks.retry;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message of an {@link SqsEvent}.
 *
 * @param messageId its id, the batch item failure identifier
 * @param receiptHandle the handle for ChangeMessageVisibility
 * @param body the message body
 * @param messageGroupId the FIFO message group ({@code attributes.MessageGroupId}); the message id when absent
 */
record SqsMessage(String messageId, String receiptHandle, String body, String messageGroupId) {

    /**
     * @return the message, or null when the record has no {@code messageId} (it cannot even be reported)
     */
    static SqsMessage of(JsonNode record) {
        String messageId = text(record, "messageId");
        if (messageId == null || messageId.isEmpty()) {
            return null;
        }
        String group = record.path("attributes").path("MessageGroupId").asText("");
        return new SqsMessage(messageId, text(record, "receiptHandle"), text(record, "body"),
                group.isEmpty() ? messageId : group);
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record == null ? null : record.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
