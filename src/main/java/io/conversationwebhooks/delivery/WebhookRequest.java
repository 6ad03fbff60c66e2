package io.conversationwebhooks.delivery;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.subscription.Subscription;

/**
 * One delivery to make: an event of a record to a subscriber.
 *
 * @param webhookId the {@code webhook-id}, stable for (record, event)
 * @param conversationId the conversation id (FreeScout's {@code id}), for the logs; {@code null} when unknown
 * @param event the event
 * @param subscription the subscriber
 * @param body the UTF-8 JSON body, shared by every delivery of the record; never modified
 */
public record WebhookRequest(String webhookId, String conversationId, ConversationEvent event,
        Subscription subscription, byte[] body) {

    /** A request whose conversation id the logs do not name. */
    public WebhookRequest(String webhookId, ConversationEvent event, Subscription subscription, byte[] body) {
        this(webhookId, null, event, subscription, body);
    }
}
