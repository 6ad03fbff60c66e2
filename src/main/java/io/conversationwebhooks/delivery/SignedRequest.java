package io.conversationwebhooks.delivery;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.subscription.Subscription;

/**
 * One attempt's request as it goes on the wire (CONTRACT section 6): every header the contract names, in the order
 * sent, and the body. The only place where a request is assembled and signed; the stream function, the retry function
 * and {@code ./replay.sh} send it unchanged. A new header, or another signature in {@code webhook-signature} (one
 * {@code v1,} signature per valid secret, space-separated), is added in {@link #sign} and nowhere else.
 *
 * <p>Transport headers ({@code User-Agent}, {@code Content-Length}, {@code Host}) are the {@link WebhookClient}'s.
 *
 * <p>{@link #toString()} names the headers without their values: signatures never reach logs or exceptions.
 *
 * @param headers header name to value, in the order sent; unmodifiable
 * @param body the exact body bytes, UTF-8 JSON; shared, never modified
 */
public record SignedRequest(Map<String, String> headers, byte[] body) {

    /** Header names of CONTRACT section 6. */
    public static final String CONTENT_TYPE = "Content-Type";
    public static final String EVENT = "X-FreeScout-Event";
    public static final String FREESCOUT_SIGNATURE = "X-FreeScout-Signature";
    public static final String WEBHOOK_ID = "webhook-id";
    public static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    public static final String WEBHOOK_SIGNATURE = "webhook-signature";

    /** The {@code Content-Type} of every request. */
    public static final String JSON_UTF8 = "application/json; charset=utf-8";

    /**
     * Builds and signs the request of one attempt.
     *
     * @param subscription the subscriber: its current secret signs {@code X-FreeScout-Signature}, each of its secrets
     *        valid at {@code at} ({@link Subscription#secretsValidAt}) signs {@code webhook-signature}, and its static
     *        headers (CONTRACT section 4) follow the contract's
     * @param event the event, sent as {@code X-FreeScout-Event}
     * @param body the exact body bytes
     * @param webhookId the {@code webhook-id}, the same on every attempt of the delivery
     * @param at the attempt's time; {@code webhook-timestamp} is its Unix seconds
     * @return the request; signing cannot fail for a valid {@link Subscription}
     */
    public static SignedRequest sign(Subscription subscription, ConversationEvent event, byte[] body, String webhookId,
            Instant at) {
        long timestamp = at.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CONTENT_TYPE, JSON_UTF8);
        headers.put(EVENT, event.eventName());
        headers.put(FREESCOUT_SIGNATURE, WebhookSigner.freeScoutSignature(subscription.secret(), body));
        headers.put(WEBHOOK_ID, webhookId);
        headers.put(WEBHOOK_TIMESTAMP, Long.toString(timestamp));
        headers.put(WEBHOOK_SIGNATURE, WebhookSigner.standardSignatures(subscription.secretsValidAt(at), webhookId,
                timestamp, body));
        headers.putAll(subscription.headers());
        return new SignedRequest(Collections.unmodifiableMap(headers), body);
    }

    /** As {@link #sign(Subscription, ConversationEvent, byte[], String, Instant)} for a delivery's parts. */
    public static SignedRequest sign(WebhookRequest request, Instant at) {
        return sign(request.subscription(), request.event(), request.body(), request.webhookId(), at);
    }

    /** The header names only, never their values. */
    @Override
    public String toString() {
        return "SignedRequest" + headers.keySet() + " (" + body.length + " bytes)";
    }
}
