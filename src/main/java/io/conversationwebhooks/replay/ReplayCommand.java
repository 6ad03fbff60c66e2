package io.conversationwebhooks.replay;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.subscription.DynamoDbSubscriptionRepository;
import io.conversationwebhooks.subscription.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * {@code ./replay.sh <subscription-id>}: re-sends the subscription's dead-lettered deliveries in stream order
 * ({@link DeadLetterReplay}) and prints one line per delivery. Exit status 0 when all were delivered (or there were
 * none), 1 when one failed (it and the later ones stay dead-lettered; run again later), 2 for a usage or setup error.
 *
 * <p>Environment, the same names as the functions': {@code WEBHOOKS_DELIVERIES_TABLE} and
 * {@code WEBHOOKS_SUBSCRIPTIONS_TABLE} (required: the URL and secret come from the subscription's item, read even when
 * it is disabled), {@code WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS}, {@code WEBHOOKS_DELIVERY_TIMEOUT_SECONDS}
 * (default 10), {@code QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE} or the SDK's {@code AWS_ENDPOINT_URL_DYNAMODB}, and the
 * AWS SDK's region and credentials ({@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}, or the SDK's default chains, e.g. {@code AWS_PROFILE}). Secrets are never printed.
 */
public final class ReplayCommand {

    private ReplayCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out));
    }

    /**
     * Runs the command.
     *
     * @param args the subscription id
     * @param env the environment
     * @param out where lines are printed
     * @return the exit status
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out) {
        if (args.size() != 1 || args.get(0).isBlank()) {
            out.println("usage: ./replay.sh <subscription-id>");
            return 2;
        }
        String subscriptionId = args.get(0);
        Optional<String> deliveries = setting(env, "WEBHOOKS_DELIVERIES_TABLE");
        Optional<String> subscriptions = setting(env, "WEBHOOKS_SUBSCRIPTIONS_TABLE");
        if (deliveries.isEmpty() || subscriptions.isEmpty()) {
            out.println("WEBHOOKS_DELIVERIES_TABLE and WEBHOOKS_SUBSCRIPTIONS_TABLE must name the ledger and the "
                    + "subscriptions table");
            return 2;
        }
        Clock clock = Clock.systemUTC();
        try (DynamoDbClient dynamoDb = dynamoDb(env)) {
            Optional<Subscription> subscription = new DynamoDbSubscriptionRepository(dynamoDb, subscriptions.get(),
                    Duration.ZERO, clock).subscriptions().stream().filter(s -> s.id().equals(subscriptionId)).findFirst();
            if (subscription.isEmpty()) {
                out.println("No valid subscription " + subscriptionId + " in " + subscriptions.get());
                return 2;
            }
            if (!subscription.get().enabled()) {
                out.println("Subscription " + subscriptionId + " is disabled: replaying anyway (set enabled=true on its "
                        + "item for it to receive new events)");
            }
            boolean allowPrivate = setting(env, "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS").map(Boolean::parseBoolean)
                    .orElse(false);
            Duration timeout = Duration.ofSeconds(setting(env, "WEBHOOKS_DELIVERY_TIMEOUT_SECONDS").map(Long::parseLong)
                    .orElse(10L));
            DeliveryLedger ledger = new DeliveryLedger(dynamoDb, deliveries.get(), Duration.ofDays(3), Duration.ofDays(14),
                    clock);
            DeadLetterReplay.Result result;
            try (HttpSender sender = new HttpSender(new AddressGuard(allowPrivate, InetAddress::getAllByName),
                    Duration.ofSeconds(5), timeout, clock)) {
                result = new DeadLetterReplay(ledger, sender).replay(subscription.get(),
                        (entry, attempt) -> out.printf("%s %s %s (sequence number %s): %s%n",
                                attempt.delivered() ? "delivered" : "FAILED", entry.delivery().event(),
                                entry.key().webhookId(), entry.delivery().sequenceNumber(),
                                attempt.delivered() ? "HTTP " + attempt.status() : attempt.error()));
            }
            if (result.stoppedAt() != null) {
                out.printf("Stopped: %d of %d dead-lettered deliveries of %s replayed; %s and the ones after it stay "
                        + "dead-lettered (%s). Run ./replay.sh %s again once the subscriber answers.%n", result.replayed(),
                        result.found(), subscriptionId, result.stoppedAt().key().webhookId(), result.error(), subscriptionId);
                return 1;
            }
            out.printf("Replayed %d dead-lettered deliveries of %s%n", result.replayed(), subscriptionId);
            return 0;
        }
    }

    private static DynamoDbClient dynamoDb(Map<String, String> env) {
        DynamoDbClientBuilder builder = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create());
        setting(env, "AWS_REGION").or(() -> setting(env, "AWS_DEFAULT_REGION")).map(Region::of).ifPresent(builder::region);
        Optional<String> keyId = setting(env, "AWS_ACCESS_KEY_ID");
        Optional<String> secretKey = setting(env, "AWS_SECRET_ACCESS_KEY");
        if (keyId.isPresent() && secretKey.isPresent()) {
            Optional<String> token = setting(env, "AWS_SESSION_TOKEN");
            builder.credentialsProvider(StaticCredentialsProvider.create(token.isPresent()
                    ? AwsSessionCredentials.create(keyId.get(), secretKey.get(), token.get())
                    : AwsBasicCredentials.create(keyId.get(), secretKey.get())));
        }
        setting(env, "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE").map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static Optional<String> setting(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(value -> !value.isEmpty());
    }
}
