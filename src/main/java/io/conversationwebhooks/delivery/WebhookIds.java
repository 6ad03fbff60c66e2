package io.conversationwebhooks.delivery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.stream.StreamRecord;

/**
 * Derives {@code webhook-id} (Standard Webhooks' idempotency key) from the stream record and the event.
 *
 * <p>The id must be the same on every retry and every Lambda redelivery of the same record, and differ between
 * events: so it is derived from what identifies the record in the stream (its {@code eventID} and sequence number)
 * and the event name, never from time or randomness. It is {@code msg_} and 32 hex digits of their SHA-256, so it
 * has no {@code .}, which the signed content uses as separator.
 */
public final class WebhookIds {

    /** One digest per thread, reused: {@code digest} resets it. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();

    private WebhookIds() {
    }

    /**
     * @return {@code msg_} followed by 32 lowercase hex digits
     */
    public static String webhookId(StreamRecord record, ConversationEvent event) {
        String identity = record.eventId() + "\n" + record.sequenceNumber() + "\n" + event.eventName();
        byte[] digest = SHA256.get().digest(identity.getBytes(StandardCharsets.UTF_8));
        return "msg_" + HEX.formatHex(digest, 0, 16);
    }
}
