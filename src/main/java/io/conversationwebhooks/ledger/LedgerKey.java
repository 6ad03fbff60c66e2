package io.conversationwebhooks.ledger;

/**
 * The key of a ledger item: partition key {@code webhookId} (S), sort key {@code subscriptionId} (S).
 *
 * @param webhookId the delivery's {@code webhook-id}, or {@code pair#<conversation key>} for a pair item
 * @param subscriptionId the subscription
 */
public record LedgerKey(String webhookId, String subscriptionId) {

    /** Prefix of the partition key of pair items, which can never clash with a webhook-id ({@code msg_...}). */
    public static final String PAIR_PREFIX = "pair#";

    /**
     * The key of the pair item of a conversation and a subscriber, which holds the webhook-ids of that pair's
     * deliveries parked and not finished yet.
     *
     * @param conversationKey the stream record's ordering key (table and conversation id)
     */
    public static LedgerKey pair(String conversationKey, String subscriptionId) {
        return new LedgerKey(PAIR_PREFIX + conversationKey, subscriptionId);
    }
}
