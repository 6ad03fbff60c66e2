package io.conversationwebhooks.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * How one DynamoDB Streams batch is processed: concurrency across conversations and the time budget of an
 * invocation ({@code webhooks.stream.*}, a group of {@link WebhooksConfig}), e.g.
 * {@code WEBHOOKS_STREAM_FUNCTION_TIMEOUT}.
 */
public interface StreamConfig {

    /**
     * Most conversations whose records are delivered at the same time; records of one conversation are always
     * delivered one after the other, in stream order.
     */
    @WithDefault("64")
    int maxConcurrentConversations();

    /** The stream function's time budget: {@code webhooks.stream.function-timeout}, {@code deadline-margin}, {@code bookkeeping-margin}. */
    @WithParentName
    InvocationBudget budget();
}
