package io.conversationwebhooks.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A real DynamoDB API ({@link DynamoDbEmulator}) with the conversations and subscriptions tables created from
 * template.yaml under fresh names, and a {@link WebhookReceiver}. Configures the function to read subscriptions from
 * the table (no cache, so tests may change them) through quarkus-amazon-dynamodb.
 */
public class DynamoDbResource implements QuarkusTestResourceLifecycleManager {

    /** What tests get injected with {@link InjectHarness}. */
    public record Harness(DynamoDbEmulator emulator, WebhookReceiver receiver, String conversationsTable,
            String conversationsStreamArn, String subscriptionsTable) {
    }

    private Harness harness;

    @Override
    public Map<String, String> start() {
        DynamoDbEmulator emulator = DynamoDbEmulator.start();
        WebhookReceiver receiver = WebhookReceiver.start();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String conversations = "conversations-" + suffix;
        String subscriptions = "subscriptions-" + suffix;
        try (DynamoDbClient dynamoDb = emulator.dynamoDb()) {
            String streamArn = TemplateTables.create(dynamoDb, "ConversationsTable", conversations);
            TemplateTables.create(dynamoDb, "SubscriptionsTable", subscriptions);
            harness = new Harness(emulator, receiver, conversations, streamArn, subscriptions);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.dynamodb.endpoint-override", emulator.endpoint().toString());
        config.put("quarkus.dynamodb.aws.region", DynamoDbEmulator.REGION);
        config.put("quarkus.dynamodb.aws.credentials.type", "static");
        config.put("quarkus.dynamodb.aws.credentials.static-provider.access-key-id", DynamoDbEmulator.ACCESS_KEY);
        config.put("quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", DynamoDbEmulator.SECRET_KEY);
        config.put("webhooks.subscriptions-table", subscriptions);
        config.put("webhooks.subscriptions-cache-ttl", "0s");
        config.put("webhooks.delivery.allow-private-networks", "true");
        config.put("webhooks.delivery.initial-backoff", "20ms");
        config.put("webhooks.delivery.max-backoff", "100ms");
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
            harness.emulator().close();
        }
    }
}
