package io.conversationwebhooks.settlement;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.conversationwebhooks.config.LedgerConfig;
import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.config.WebhooksConfig;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.parking.DeliveryParking;
import io.conversationwebhooks.parking.RetryQueue;
import io.conversationwebhooks.parking.RetrySchedule;
import io.conversationwebhooks.settlement.DeliveryJournal;
import io.conversationwebhooks.settlement.PassThroughJournal;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.quarkus.runtime.Startup;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The ledger and the retry queue, as configured ({@code WEBHOOKS_DELIVERIES_TABLE}, {@code WEBHOOKS_RETRY_QUEUE_URL});
 * either may be absent, but a retry queue needs the ledger (its pair items keep parked deliveries in order, and the
 * retry function reads each delivery's progress there), so that combination stops the application at startup, as
 * does a retry schedule delay longer than {@link RetryQueue#MAX_DELAY}.
 *
 * <p>The SQS client uses the DynamoDB client's region and credentials (quarkus-amazon-dynamodb's
 * {@code quarkus.dynamodb.aws.*}, by default the AWS SDK's default chains, which on Lambda read the function's
 * environment), the same url-connection HTTP client, and {@code webhooks.retry.sqs-endpoint-override} when set,
 * otherwise the SDK's own endpoint settings ({@code AWS_ENDPOINT_URL_SQS}). Every SQS call is bounded by
 * {@code webhooks.retry.sqs-api-call-timeout} (and each of its attempts by {@code sqs-api-call-attempt-timeout}), so a
 * slow queue cannot hold a delivery past the invocation's deadline.
 */
@Startup
@ApplicationScoped
public class DurableDelivery {

    private static final Logger LOG = Logger.getLogger(DurableDelivery.class);

    private final Optional<DeliveryLedger> ledger;
    private final Optional<RetryQueue> queue;
    private final RetrySchedule schedule;
    private final SqsClient sqs;
    private ExecutorService ledgerCalls;

    @Inject
    DurableDelivery(WebhooksConfig config, Instance<DynamoDbClient> dynamoDb) {
        LedgerConfig ledgerConfig = config.ledger();
        RetryConfig retryConfig = config.retry();
        this.schedule = new RetrySchedule(retryConfig.schedule(), retryConfig.maxRetryAfter());
        if (config.retryQueueUrl().isPresent() && ledgerConfig.deliveriesTable().isEmpty()) {
            throw new IllegalStateException("WEBHOOKS_RETRY_QUEUE_URL is set but WEBHOOKS_DELIVERIES_TABLE is not: "
                    + "the retry queue needs the delivery ledger");
        }
        this.ledger = ledgerConfig.deliveriesTable().map(table -> new DeliveryLedger(dynamoDb.get(), table,
                ledgerConfig.deliveriesRetention(), ledgerConfig.deadLetterRetention(), Clock.systemUTC()));
        this.sqs = config.retryQueueUrl().isPresent() ? sqsClient(retryConfig, dynamoDb.get()) : null;
        this.queue = config.retryQueueUrl().map(url -> new RetryQueue(sqs, url));
        LOG.debugf("Delivery ledger: %s; retry queue: %s", ledger.map(DeliveryLedger::tableName).orElse("none"),
                queue.isPresent() ? "configured" : "none");
    }

    /** The ledger, when {@code WEBHOOKS_DELIVERIES_TABLE} is set. */
    public Optional<DeliveryLedger> ledger() {
        return ledger;
    }

    /** The retry queue, when {@code WEBHOOKS_RETRY_QUEUE_URL} is set (then the ledger is too). */
    public Optional<RetryQueue> queue() {
        return queue;
    }

    /** The retry schedule. */
    public RetrySchedule schedule() {
        return schedule;
    }

    /** The stream function's journal: with the ledger and the retry queue as configured, or pass-through. */
    @Produces
    @ApplicationScoped
    DeliveryJournal deliveryJournal(SubscriptionHealth health, OperationsReport report) {
        if (ledger.isEmpty()) {
            return new PassThroughJournal(health, report);
        }
        DeliveryParking parking = queue
                .map(retryQueue -> new DeliveryParking(ledger.get(), retryQueue, schedule, Clock.systemUTC()))
                .orElse(null);
        ledgerCalls = LedgerJournal.newPool(LedgerJournal.LEDGER_THREADS);
        return new LedgerJournal(ledger.get(), parking, health, report, ledgerCalls);
    }

    @PreDestroy
    void close() {
        if (ledgerCalls != null) {
            ledgerCalls.shutdown();
        }
        if (sqs != null) {
            sqs.close();
        }
    }

    private static SqsClient sqsClient(RetryConfig config, DynamoDbClient dynamoDb) {
        DynamoDbServiceClientConfiguration aws = dynamoDb.serviceClientConfiguration();
        SqsClientBuilder builder = SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(aws.region()).credentialsProvider(aws.credentialsProvider())
                .overrideConfiguration(c -> c.apiCallTimeout(config.sqsApiCallTimeout())
                        .apiCallAttemptTimeout(config.sqsApiCallAttemptTimeout()));
        config.sqsEndpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
