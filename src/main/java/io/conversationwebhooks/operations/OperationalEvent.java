package io.conversationwebhooks.operations;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One operational event (CONTRACT section 8), published as the JSON body of an SNS message:
 * <pre>{@code
 * {"type":"subscription.disabled","time":"2026-11-30T22:00:00Z","subscriptionId":"crm",
 *  "reason":"HTTP 410 Gone","conversationId":"42","webhookId":"msg_...","event":"convo.status",
 *  "lastStatus":410,"lastError":"HTTP 410 Gone","failingSince":null}
 * }</pre>
 * Every field is always present ({@code null} when unknown). It never holds a secret, a signature or a header value:
 * only ids, the FreeScout event name, an HTTP status and the delivery's error text, which is built from statuses and
 * exception messages, never from headers.
 *
 * @param type {@link #SUBSCRIPTION_DISABLED}, {@link #SUBSCRIPTION_RECOVERED} or {@link #DELIVERY_DEAD_LETTERED}
 * @param time when it happened (UTC)
 * @param subscriptionId the subscription
 * @param reason why a subscription was disabled ({@code HTTP 410 Gone}, {@code failing without success since ...}) or
 *        a delivery dead-lettered; null for a recovery
 * @param conversationId the conversation of the delivery that caused it, or null
 * @param webhookId the {@code webhook-id} of that delivery, or null
 * @param event its FreeScout event name ({@code convo.status}, ...), or null
 * @param lastStatus the last HTTP status of that delivery, 0 when there was no response
 * @param lastError the last error of that delivery, or null
 * @param failingSince when the subscription started failing (disabled for failing, recovered), or null
 * @param attempts attempts made for that delivery, 0 when unknown
 */
public record OperationalEvent(String type, Instant time, String subscriptionId, String reason, String conversationId,
        String webhookId, String event, int lastStatus, String lastError, Instant failingSince, int attempts) {

    /** A subscription was disabled (410 Gone, or failing for the configured period). */
    public static final String SUBSCRIPTION_DISABLED = "subscription.disabled";
    /** A subscription that had been failing succeeded again. */
    public static final String SUBSCRIPTION_RECOVERED = "subscription.recovered";
    /** The retry function gave a delivery up; it waits in the ledger for {@code ./replay.sh}. */
    public static final String DELIVERY_DEAD_LETTERED = "delivery.dead_lettered";

    /** The JSON object, fields in the order above. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", type);
        map.put("time", time == null ? null : time.toString());
        map.put("subscriptionId", subscriptionId);
        map.put("reason", reason);
        map.put("conversationId", conversationId);
        map.put("webhookId", webhookId);
        map.put("event", event);
        map.put("lastStatus", lastStatus);
        map.put("lastError", lastError);
        map.put("failingSince", failingSince == null ? null : failingSince.toString());
        map.put("attempts", attempts);
        return map;
    }
}
