package io.conversationwebhooks.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

/**
 * The one configuration root of the functions and of {@code ./replay.sh}: every key starts with {@code webhooks.}, and
 * each environment variable is the key in upper case with {@code .} and {@code -} as {@code _}
 * (<a href="https://smallrye.io/smallrye-config/Main/config/environment-variables/">SmallRye Config, environment
 * variables</a>), e.g. {@code webhooks.delivery.timeout} is {@code WEBHOOKS_DELIVERY_TIMEOUT}. The functions get it
 * injected; the replay command reads the same mapping with {@link ConfigReader}, without Quarkus. README,
 * "Configuration", lists every variable with its unit and default.
 */
@ConfigMapping(prefix = "webhooks")
public interface WebhooksConfig {

    /** Where subscriptions come from: {@code webhooks.subscriptions-table}, {@code webhooks.subscriptions[n].*}. */
    @WithParentName
    SubscriptionsConfig subscriptionSource();

    /** The delivery ledger: {@code webhooks.deliveries-table}, its retention periods. */
    @WithParentName
    LedgerConfig ledger();

    /**
     * URL of the SQS FIFO retry queue ({@code WEBHOOKS_RETRY_QUEUE_URL}); empty means no parking: a failed delivery
     * fails its stream record, which Lambda retries. Needs {@code WEBHOOKS_DELIVERIES_TABLE}.
     */
    Optional<String> retryQueueUrl();

    /** How a request is sent: {@code webhooks.delivery.*}. */
    DeliveryConfig delivery();

    /** The stream function's batch handling and time budget: {@code webhooks.stream.*}. */
    StreamConfig stream();

    /** The retry function and parking: {@code webhooks.retry.*}. */
    RetryConfig retry();

    /** What operators see: {@code webhooks.metrics.*}, {@code webhooks.events.*}, {@code webhooks.log.*}. */
    @WithParentName
    OperationsConfig operations();
}
