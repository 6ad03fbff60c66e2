package io.conversationwebhooks.ledger;

/**
 * What a delivery is, as the ledger records it: never its secret or signatures.
 *
 * @param webhookId the {@code webhook-id}
 * @param subscriptionId the subscription
 * @param event the FreeScout event name ({@code convo.status}, ...)
 * @param conversationKey the stream record's ordering key (table and conversation id)
 * @param sequenceNumber the stream record's sequence number (decimal digits)
 */
public record LedgerDelivery(String webhookId, String subscriptionId, String event, String conversationKey,
        String sequenceNumber) {

    /** Its ledger key. */
    public LedgerKey key() {
        return new LedgerKey(webhookId, subscriptionId);
    }

    /** The key of its pair item (conversation and subscriber). */
    public LedgerKey pairKey() {
        return LedgerKey.pair(conversationKey, subscriptionId);
    }
}
