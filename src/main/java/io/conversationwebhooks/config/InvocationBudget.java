package io.conversationwebhooks.config;

import java.time.Duration;
import java.time.Instant;

import io.smallrye.config.WithDefault;

/**
 * The time budget of one Lambda invocation, the same for both functions ({@code webhooks.stream.*} and
 * {@code webhooks.retry.*}): Funqy does not pass the Lambda context to a function, so its deadline is derived from the
 * configured timeout, which template.yaml sets from the same parameter as the function's {@code Timeout}.
 */
public interface InvocationBudget {

    /** The Lambda function's configured timeout (ISO-8601 or {@code 60s}). */
    @WithDefault("60s")
    Duration functionTimeout();

    /** Time kept free before the function timeout to answer Lambda; no delivery attempt starts inside it. */
    @WithDefault("3s")
    Duration deadlineMargin();

    /**
     * Time kept, before the deadline, for what follows an attempt: ledger writes, parking, the visibility change of a
     * retried message. Attempts end this long before the deadline; it should exceed a few DynamoDB and SQS calls
     * ({@code quarkus.dynamodb.api-call-timeout} and {@code webhooks.retry.sqs-api-call-timeout} bound each one).
     */
    @WithDefault("2s")
    Duration bookkeepingMargin();

    /**
     * When the invocation must answer.
     *
     * @param started when the invocation started
     * @return {@code started} + {@link #functionTimeout()} - {@link #deadlineMargin()}
     */
    default Instant deadline(Instant started) {
        return started.plus(functionTimeout()).minus(deadlineMargin());
    }
}
