package io.conversationwebhooks.parking;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.Progress;

/**
 * A delivery parked on the retry queue: the body of its SQS message, a JSON object holding the whole request except
 * the secret and signatures, which are made again for every attempt.
 *
 * <pre>{"webhookId":"msg_...","event":"convo.status","subscriptionId":"crm","conversationKey":"...#101",
 * "sequenceNumber":"1000...","body":"&lt;base64 of the exact body bytes&gt;","attempts":3,"lastStatus":503,
 * "lastError":"HTTP 503","parkedAt":"2026-...Z","notBefore":"2026-...Z","retryStep":1}</pre>
 *
 * @param delivery what the delivery is
 * @param body the exact body bytes (signed and sent as they are)
 * @param progress attempts made before parking and their last result
 * @param parkedAt when it was parked
 * @param notBefore when the retry function may attempt it first
 * @param retryStep index of the schedule delay to wait after its next failure
 */
public record ParkedDelivery(LedgerDelivery delivery, byte[] body, Progress progress, Instant parkedAt, Instant notBefore,
        int retryStep) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The message body. */
    public String toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("webhookId", delivery.webhookId());
        json.put("event", delivery.event());
        json.put("subscriptionId", delivery.subscriptionId());
        json.put("conversationKey", delivery.conversationKey());
        json.put("sequenceNumber", delivery.sequenceNumber());
        json.put("body", Base64.getEncoder().encodeToString(body));
        json.put("attempts", progress.attempts());
        json.put("lastStatus", progress.lastStatus());
        if (progress.lastError() != null) {
            json.put("lastError", progress.lastError());
        }
        json.put("parkedAt", parkedAt.toString());
        json.put("notBefore", notBefore.toString());
        json.put("retryStep", retryStep);
        return json.toString();
    }

    /**
     * Reads a message body.
     *
     * @throws IllegalArgumentException naming the first field that is missing or wrong
     */
    public static ParkedDelivery fromJson(String text) {
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("message body is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("message body is not a JSON object");
        }
        LedgerDelivery delivery = new LedgerDelivery(text(json, "webhookId"), text(json, "subscriptionId"),
                text(json, "event"), text(json, "conversationKey"), text(json, "sequenceNumber"));
        byte[] body;
        try {
            body = Base64.getDecoder().decode(text(json, "body"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("body is not base64");
        }
        JsonNode lastError = json.get("lastError");
        Progress progress = new Progress(json.path("attempts").asInt(0), json.path("lastStatus").asInt(0),
                lastError == null || lastError.isNull() ? null : lastError.asText(), 0);
        return new ParkedDelivery(delivery, body, progress, instant(json, "parkedAt"), instant(json, "notBefore"),
                json.path("retryStep").asInt(0));
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value.textValue();
    }

    private static Instant instant(JsonNode json, String field) {
        try {
            return Instant.parse(text(json, field));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 instant");
        }
    }
}
