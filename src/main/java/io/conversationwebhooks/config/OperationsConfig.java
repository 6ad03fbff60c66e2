package io.conversationwebhooks.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * What operators see (CONTRACT section 8, README "Monitoring"): the CloudWatch metrics both functions write, the
 * operational events they publish to SNS and the log's format ({@code webhooks.metrics.*}, {@code webhooks.events.*},
 * {@code webhooks.log.*}, a group of {@link WebhooksConfig}).
 */
public interface OperationsConfig {

    /** The metrics, Embedded Metric Format lines on stdout. */
    Metrics metrics();

    /** The operational events. */
    Events events();

    /** The log's format. */
    Log log();

    /** Log settings. */
    interface Log {

        /**
         * {@code auto}: one JSON object per line when the function runs in Lambda ({@code AWS_LAMBDA_FUNCTION_NAME} is
         * set), readable text otherwise (tests, {@code ./run-local.sh}); {@code json} or {@code text} to choose
         * ({@code WEBHOOKS_LOG_FORMAT}).
         */
        @WithDefault("auto")
        LogFormat format();

        /** The log formats. */
        enum LogFormat {
            /** JSON in Lambda, text elsewhere. */
            AUTO,
            /** One JSON object per line. */
            JSON,
            /** Quarkus' console pattern ({@code quarkus.log.console.format}). */
            TEXT
        }
    }

    /** Metrics settings. */
    interface Metrics {

        /** CloudWatch namespace of every metric ({@code WEBHOOKS_METRICS_NAMESPACE}). */
        @WithDefault("ConversationWebhooks")
        String namespace();

        /**
         * Whether delivery metrics also carry the dimension {@code SubscriptionId} ({@code WEBHOOKS_METRICS_PER_SUBSCRIPTION}).
         * Each subscription then adds one custom metric per delivery metric; turn it off when there are many
         * subscriptions. The totals per function are written either way.
         */
        @WithDefault("true")
        boolean perSubscription();
    }

    /** Operational events settings. */
    interface Events {

        /** ARN of the SNS topic ({@code WEBHOOKS_EVENTS_TOPIC_ARN}); empty means no event is published. */
        Optional<String> topicArn();

        /** SNS endpoint for emulators; empty means the SDK's own settings ({@code AWS_ENDPOINT_URL_SNS}). */
        Optional<URI> snsEndpointOverride();

        /** Bound of one Publish call, its retries included; a publish is best-effort and must not hold a delivery. */
        @WithDefault("2s")
        Duration snsApiCallTimeout();

        /** Bound of one attempt of a Publish call. */
        @WithDefault("1s")
        Duration snsApiCallAttemptTimeout();
    }
}
