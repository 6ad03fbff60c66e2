package io.conversationwebhooks.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Everything the delivery guarantees run on: a real DynamoDB and SQS API ({@link DynamoDbEmulator}) with the
 * conversations, subscriptions and deliveries tables created from template.yaml, the FIFO retry queue (and its
 * dead-letter queue) created from template.yaml through the SQS API, an HTTP {@link WebhookReceiver} and a
 * {@link RawReceiver}. Configures the function with the ledger and the retry queue, three-second attempts, fast
 * inline backoff, and a retry schedule of three one-second delays ({@link #SCHEDULE_STEPS}). With the init argument
 * {@code retry-queue=false} the function gets the ledger only (no parking). Subscriptions are read on every batch unless
 * the init argument {@code subscriptions-cache-ttl} gives the cache a lifetime (e.g. {@code 10m}, as a warm container
 * keeps them); {@code max-concurrent-conversations=1} makes a batch's conversations run one after the other.
 */
public class DeliveryGuaranteesResource implements QuarkusTestResourceLifecycleManager {

    /** Steps of the test retry schedule. */
    public static final int SCHEDULE_STEPS = 3;
    /** Attempts per delivery inside one invocation. */
    public static final int INLINE_ATTEMPTS = 3;
    /** Time allowed for one attempt. */
    public static final int ATTEMPT_TIMEOUT_SECONDS = 3;
    /** Longest Retry-After honoured by the retry function. */
    public static final int MAX_RETRY_AFTER_SECONDS = 2;

    /** What tests get injected with {@link InjectHarness}. */
    public record Harness(DynamoDbEmulator emulator, WebhookReceiver receiver, RawReceiver raw, String conversationsTable,
            String conversationsStreamArn, String subscriptionsTable, String deliveriesTable, String retryQueueUrl,
            String retryQueueName, String eventsTopicArn, String eventsQueueUrl) {
    }

    private Harness harness;
    private boolean withRetryQueue = true;
    private String subscriptionsCacheTtl = "0s";
    private String maxConcurrentConversations;

    @Override
    public void init(Map<String, String> initArgs) {
        withRetryQueue = !"false".equals(initArgs.get("retry-queue"));
        subscriptionsCacheTtl = initArgs.getOrDefault("subscriptions-cache-ttl", "0s");
        maxConcurrentConversations = initArgs.get("max-concurrent-conversations");
    }

    @Override
    public Map<String, String> start() {
        DynamoDbEmulator emulator = DynamoDbEmulator.start();
        WebhookReceiver receiver = WebhookReceiver.start();
        RawReceiver raw = RawReceiver.start();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String conversations = "conversations-" + suffix;
        String subscriptions = "subscriptions-" + suffix;
        String deliveries = "deliveries-" + suffix;
        String queueName = "retry-" + suffix + ".fifo";
        try (DynamoDbClient dynamoDb = emulator.dynamoDb(); SqsClient sqs = emulator.sqs()) {
            String streamArn = TemplateTables.create(dynamoDb, "ConversationsTable", conversations);
            TemplateTables.create(dynamoDb, "SubscriptionsTable", subscriptions);
            TemplateTables.create(dynamoDb, "DeliveriesTable", deliveries);
            String queueUrl = TemplateTables.createQueue(sqs, "DeliveryRetryQueue", queueName);
            // the operational events topic, with a queue subscribed to it that tests read
            String topicArn;
            try (software.amazon.awssdk.services.sns.SnsClient sns = emulator.sns()) {
                topicArn = sns.createTopic(b -> b.name("events-" + suffix)).topicArn();
                String eventsQueueUrl = sqs.createQueue(b -> b.queueName("events-" + suffix)).queueUrl();
                String eventsQueueArn = sqs.getQueueAttributes(b -> b.queueUrl(eventsQueueUrl)
                        .attributeNames(software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN))
                        .attributes().get(software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN);
                sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(eventsQueueArn));
                harness = new Harness(emulator, receiver, raw, conversations, streamArn, subscriptions, deliveries,
                        queueUrl, queueName, topicArn, eventsQueueUrl);
            }
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.dynamodb.endpoint-override", emulator.endpoint().toString());
        config.put("quarkus.dynamodb.aws.region", DynamoDbEmulator.REGION);
        config.put("quarkus.dynamodb.aws.credentials.type", "static");
        config.put("quarkus.dynamodb.aws.credentials.static-provider.access-key-id", DynamoDbEmulator.ACCESS_KEY);
        config.put("quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", DynamoDbEmulator.SECRET_KEY);
        config.put("webhooks.subscriptions-table", subscriptions);
        config.put("webhooks.subscriptions-cache-ttl", subscriptionsCacheTtl);
        if (maxConcurrentConversations != null) {
            config.put("webhooks.stream.max-concurrent-conversations", maxConcurrentConversations);
        }
        config.put("webhooks.deliveries-table", deliveries);
        if (withRetryQueue) {
            config.put("webhooks.retry-queue-url", harness.retryQueueUrl());
        }
        config.put("webhooks.retry.sqs-endpoint-override", emulator.endpoint().toString());
        config.put("webhooks.events.topic-arn", harness.eventsTopicArn());
        config.put("webhooks.events.sns-endpoint-override", emulator.endpoint().toString());
        config.put("webhooks.retry.schedule", "1s,1s,1s");
        config.put("webhooks.retry.max-retry-after", MAX_RETRY_AFTER_SECONDS + "s");
        config.put("webhooks.delivery.allow-private-networks", "true");
        config.put("webhooks.delivery.max-attempts", Integer.toString(INLINE_ATTEMPTS));
        config.put("webhooks.delivery.initial-backoff", "20ms");
        config.put("webhooks.delivery.max-backoff", "100ms");
        // generous: a healthy subscriber must never time out on a loaded machine, or it would see a webhook twice
        config.put("webhooks.delivery.timeout", ATTEMPT_TIMEOUT_SECONDS + "s");
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(harness, new TestInjector.AnnotatedAndMatchesType(InjectHarness.class, Harness.class));
    }

    @Override
    public void stop() {
        if (harness != null) {
            harness.receiver().close();
            harness.raw().close();
            harness.emulator().close();
        }
    }
}
