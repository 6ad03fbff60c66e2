package io.conversationwebhooks.operations;

import org.jboss.logmanager.MDC;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;

/**
 * The ids a log line is about, as MDC fields (CONTRACT section 8): {@code conversationId} (FreeScout's conversation
 * {@code id}), {@code subscriptionId} and {@code webhookId} (the Standard Webhooks {@code webhook-id}), next to the
 * {@code AWSRequestId} that Quarkus' Lambda runtime puts there. {@link JsonLogs} writes them under {@code "mdc"}.
 *
 * <p>The delivery path is asynchronous (Vert.x event loop, worker threads), so the fields are set around one log call
 * on the thread that makes it and taken off again after it, never left for the next line. Only ids go here: never a
 * secret, a signature, a URL or a header value.
 */
public final class LogFields {

    /** MDC key of the conversation id. */
    public static final String CONVERSATION_ID = "conversationId";
    /** MDC key of the subscription id. */
    public static final String SUBSCRIPTION_ID = "subscriptionId";
    /** MDC key of the {@code webhook-id}. */
    public static final String WEBHOOK_ID = "webhookId";

    private LogFields() {
    }

    /**
     * Runs {@code log} with the ids in the MDC; a {@code null} id is left out. What the MDC held under these keys before
     * is back afterwards, also when {@code log} throws.
     *
     * @param conversationId the conversation id, or {@code null}
     * @param subscriptionId the subscription id, or {@code null}
     * @param webhookId the {@code webhook-id}, or {@code null}
     * @param log the log call
     */
    public static void with(String conversationId, String subscriptionId, String webhookId, Runnable log) {
        Context current = Vertx.currentContext();
        if (current instanceof ContextInternal context && !context.isDuplicate()) {
            // Quarkus keeps a Vert.x thread's MDC in its duplicated context (VertxMDC): on an event loop's own context
            // every MDC.put would go to a new duplicate and be lost, so the line is written on one duplicate
            context.duplicate().dispatch(() -> withMdc(conversationId, subscriptionId, webhookId, log));
        } else {
            withMdc(conversationId, subscriptionId, webhookId, log);
        }
    }

    private static void withMdc(String conversationId, String subscriptionId, String webhookId, Runnable log) {
        String conversation = put(CONVERSATION_ID, conversationId);
        String subscription = put(SUBSCRIPTION_ID, subscriptionId);
        String webhook = put(WEBHOOK_ID, webhookId);
        try {
            log.run();
        } finally {
            restore(WEBHOOK_ID, webhookId, webhook);
            restore(SUBSCRIPTION_ID, subscriptionId, subscription);
            restore(CONVERSATION_ID, conversationId, conversation);
        }
    }

    /** {@link #with(String, String, String, Runnable)} with the ids of a delivery. */
    public static void with(DeliveryContext delivery, Runnable log) {
        with(delivery.conversationId(), delivery.subscriptionId(), delivery.webhookId(), log);
    }

    private static String put(String key, String value) {
        return value == null ? null : MDC.put(key, value);
    }

    private static void restore(String key, String value, String previous) {
        if (value == null) {
            return;
        }
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
