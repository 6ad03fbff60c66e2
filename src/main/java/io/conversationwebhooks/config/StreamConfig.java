package io.conversationwebhooks.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How one DynamoDB Streams batch is processed: concurrency across conversations and the time budget of an
 * invocation. Environment variables follow SmallRye's mapping, e.g. {@code WEBHOOKS_STREAM_FUNCTION_TIMEOUT}.
 */
@ConfigMapping(prefix = "webhooks.stream")
public interface StreamConfig {

    /**
     * Most conversations whose records are delivered at the same time; records of one conversation are always
     * delivered one after the other, in stream order.
     */
    @WithDefault("64")
    int maxConcurrentConversations();

    /**
     * The Lambda function's configured timeout (ISO-8601 or {@code 60s}). Funqy does not pass the Lambda context to
     * the function, so the invocation deadline is derived from this value; template.yaml sets it from the same
     * parameter as the function's {@code Timeout}.
     */
    @WithDefault("60s")
    Duration functionTimeout();

    /** Time kept free before the function timeout to answer Lambda; no delivery attempt starts inside it. */
    @WithDefault("3s")
    Duration deadlineMargin();

    /**
     * Time kept, before the deadline, for what follows a delivery's attempts: ledger writes and parking on the retry
     * queue. Attempts end this long before the deadline, so that a failed delivery is parked (or its record reported)
     * while the batch still waits for it; it should exceed a few DynamoDB and SQS calls
     * ({@code quarkus.dynamodb.api-call-timeout}, {@code webhooks.retry.sqs-api-call-timeout} bound each one).
     */
    @WithDefault("2s")
    Duration bookkeepingMargin();
}
