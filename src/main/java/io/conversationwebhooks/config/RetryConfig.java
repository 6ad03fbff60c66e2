package io.conversationwebhooks.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * Durable retries (README, "Delivery guarantees"; {@code webhooks.retry.*}, a group of {@link WebhooksConfig}): a
 * delivery still failing after the inline attempts is parked on an SQS FIFO queue, and the retry function
 * ({@code conversation-webhooks-retry}) re-attempts it on a schedule until it is delivered or dead-lettered.
 */
public interface RetryConfig {

    /**
     * Delays between the attempts of a parked delivery: the first is waited before the retry function's first
     * attempt, each later one after a failed attempt. When the list is used up, the delivery is dead-lettered.
     * Each delay is at most 11h50m (SQS visibility timeout limit of 12 hours from receipt, less a margin); a longer
     * one stops the application at startup.
     */
    @WithDefault("5s,5m,30m,2h,5h,10h,10h")
    List<Duration> schedule();

    /**
     * Age (since SQS accepted it) at which a parked delivery still on the queue is dead-lettered at its next turn,
     * whatever its schedule: it must stay below the queue's {@code MessageRetentionPeriod} (template.yaml: 14 days),
     * after which SQS deletes the message silently. A delivery waits that long only behind many failing ones of its
     * pair.
     */
    @WithDefault("13d")
    Duration maxMessageAge();

    /** Upper bound of a {@code Retry-After} the subscriber asks for (429, 503) when it sets the next attempt. */
    @WithDefault("1h")
    Duration maxRetryAfter();

    /**
     * A subscription failing without any success for this long is disabled ({@code enabled=false},
     * {@code disabledReason}, {@code disabledAt} on its item).
     */
    @WithDefault("5d")
    Duration disableSubscriptionAfter();

    /**
     * SQS endpoint (moto, LocalStack). When empty, the AWS SDK's own settings apply: {@code AWS_ENDPOINT_URL_SQS}
     * or the {@code aws.endpointUrlSqs} system property, else AWS.
     */
    Optional<URI> sqsEndpointOverride();

    /** Longest time one SQS call may take, its SDK retries included (the client's {@code apiCallTimeout}). */
    @WithDefault("2s")
    Duration sqsApiCallTimeout();

    /** Longest time one attempt of an SQS call may take (the client's {@code apiCallAttemptTimeout}). */
    @WithDefault("1s")
    Duration sqsApiCallAttemptTimeout();

    /**
     * The retry function's time budget ({@code webhooks.retry.function-timeout}, {@code deadline-margin},
     * {@code bookkeeping-margin}). A message is attempted only when the attempt timeout and the bookkeeping margin still
     * fit before the deadline; otherwise it is put back at once, without using a step of its schedule.
     */
    @WithParentName
    InvocationBudget budget();

    /** Most message groups (conversation and subscriber pairs) the retry function works on at the same time. */
    @WithDefault("10")
    int maxConcurrentGroups();
}
