package io.conversationwebhooks.operations;

/**
 * Which delivery an operational event is about: ids only, never a secret, a URL or a header.
 *
 * @param subscriptionId the subscription
 * @param conversationId the conversation id (FreeScout's {@code id}, decimal digits)
 * @param webhookId the {@code webhook-id}
 * @param event the FreeScout event name ({@code convo.status}, ...)
 */
public record DeliveryContext(String subscriptionId, String conversationId, String webhookId, String event) {

    /**
     * The context of a delivery known by the ledger's conversation key ({@code <table ARN>#<conversation id>}, or the
     * id alone).
     */
    public static DeliveryContext ofConversationKey(String subscriptionId, String conversationKey, String webhookId,
            String event) {
        int hash = conversationKey == null ? -1 : conversationKey.lastIndexOf('#');
        return new DeliveryContext(subscriptionId, hash < 0 ? conversationKey : conversationKey.substring(hash + 1),
                webhookId, event);
    }
}
