package io.conversationwebhooks.replay;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.conversationwebhooks.config.CommandLineDynamoDb;
import io.conversationwebhooks.config.ConfigReader;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.config.LedgerConfig;
import io.conversationwebhooks.config.WebhooksConfig;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.AllowedNetworks;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.subscription.DynamoDbSubscriptionRepository;
import io.conversationwebhooks.subscription.Subscription;
import io.smallrye.config.SmallRyeConfig;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code ./replay.sh <subscription-id>}: re-sends the subscription's dead-lettered deliveries in stream order
 * ({@link DeadLetterReplay}) and prints one line per delivery on standard output.
 *
 * <p>Exit status: {@value #REPLAYED} when all were delivered (or there were none); {@value #STOPPED} when one failed
 * (it and the later ones stay dead-lettered; run again later); {@value #USAGE} for a usage or configuration error
 * (nothing was sent); {@value #AWS_ERROR} when a DynamoDB call failed (what was replayed before it is marked delivered;
 * run again).
 *
 * <p>Configuration: the functions' own ({@link WebhooksConfig}, read by {@link ConfigReader} without starting Quarkus:
 * same names, units and defaults), of which it uses the variables in {@link #SETTINGS}; the URL and secret come from
 * the subscription's item, read even when it is disabled. AWS region and credentials as the SDK reads them
 * ({@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}, or the
 * SDK's default chains, e.g. {@code AWS_PROFILE}). Secrets are never printed.
 */
public final class ReplayCommand {

    /** Exit status: every dead letter delivered, or none found. */
    public static final int REPLAYED = 0;
    /** Exit status: a delivery failed; the replay stopped there. */
    public static final int STOPPED = 1;
    /** Exit status: usage or configuration error; nothing was sent. */
    public static final int USAGE = 2;
    /** Exit status: a DynamoDB call failed. */
    public static final int AWS_ERROR = 3;

    /** The environment variables the command reads (README, "Replay dead-lettered deliveries"). */
    public static final List<String> SETTINGS = List.of("WEBHOOKS_DELIVERIES_TABLE", "WEBHOOKS_SUBSCRIPTIONS_TABLE",
            "WEBHOOKS_DELIVERIES_RETENTION", "WEBHOOKS_DEAD_LETTER_RETENTION", "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS",
            "WEBHOOKS_DELIVERY_CONNECT_TIMEOUT", "WEBHOOKS_DELIVERY_TIMEOUT", "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE",
            "QUARKUS_DYNAMODB_API_CALL_TIMEOUT", "QUARKUS_DYNAMODB_API_CALL_ATTEMPT_TIMEOUT", "AWS_REGION",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

    private static final String USAGE_LINE = "usage: ./replay.sh <subscription-id>   (./replay.sh --help: the settings)";

    private ReplayCommand() {
    }

    public static void main(String[] args) {
        // JBoss Logging (used by the classes shared with the functions) finds JBoss LogManager on the class path; unless
        // it is also the JUL log manager, it reports "ERROR: The LogManager accessed before ..." on first use.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        System.exit(run(List.of(args), System.getenv(), System.out));
    }

    /**
     * Runs the command.
     *
     * @param args the subscription id, or {@code --help}
     * @param env the environment
     * @param out where lines are printed
     * @return the exit status, {@link #REPLAYED}, {@link #STOPPED}, {@link #USAGE} or {@link #AWS_ERROR}
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            out.println(USAGE_LINE);
            out.println("Settings (environment; see README, \"Configuration\"): " + String.join(", ", SETTINGS));
            out.println("Exit status: 0 all replayed, 1 stopped at a failed delivery, 2 usage or configuration error, "
                    + "3 DynamoDB call failed");
            return REPLAYED;
        }
        if (args.size() != 1 || args.get(0).isBlank() || args.get(0).startsWith("-")) {
            out.println(USAGE_LINE);
            return USAGE;
        }
        String subscriptionId = args.get(0);
        SmallRyeConfig config;
        WebhooksConfig webhooks;
        try {
            config = ConfigReader.read(env);
            webhooks = config.getConfigMapping(WebhooksConfig.class);
        } catch (RuntimeException e) {
            out.println("Configuration error: " + e.getMessage());
            return USAGE;
        }
        if (webhooks.ledger().deliveriesTable().isEmpty() || webhooks.subscriptionSource().subscriptionsTable().isEmpty()) {
            out.println("WEBHOOKS_DELIVERIES_TABLE and WEBHOOKS_SUBSCRIPTIONS_TABLE must name the ledger and the "
                    + "subscriptions table");
            return USAGE;
        }
        try (DynamoDbClient dynamoDb = CommandLineDynamoDb.build(config, env)) {
            return replay(dynamoDb, webhooks, subscriptionId, out);
        } catch (SdkException e) {
            out.println("DynamoDB call failed (" + e.getClass().getSimpleName() + "): " + e.getMessage()
                    + ". Deliveries replayed before it stay delivered; run ./replay.sh " + subscriptionId + " again.");
            return AWS_ERROR;
        }
    }

    /** Finds the subscription, replays its dead letters and prints the outcome; DynamoDB errors are thrown. */
    private static int replay(DynamoDbClient dynamoDb, WebhooksConfig webhooks, String subscriptionId, PrintStream out) {
        LedgerConfig ledgerConfig = webhooks.ledger();
        String subscriptions = webhooks.subscriptionSource().subscriptionsTable().orElseThrow();
        Clock clock = Clock.systemUTC();
        Optional<Subscription> subscription = new DynamoDbSubscriptionRepository(dynamoDb, subscriptions, Duration.ZERO,
                clock).subscriptions().stream().filter(s -> s.id().equals(subscriptionId)).findFirst();
        if (subscription.isEmpty()) {
            out.println("No valid subscription " + subscriptionId + " in " + subscriptions);
            return USAGE;
        }
        if (!subscription.get().enabled()) {
            out.println("Subscription " + subscriptionId + " is disabled: replaying anyway (set enabled=true on its "
                    + "item for it to receive new events)");
        }
        DeliveryConfig delivery = webhooks.delivery();
        DeliveryLedger ledger = new DeliveryLedger(dynamoDb, ledgerConfig.deliveriesTable().orElseThrow(),
                ledgerConfig.deliveriesRetention(), ledgerConfig.deadLetterRetention(), clock);
        AllowedNetworks allowedNetworks;
        try {
            allowedNetworks = AllowedNetworks.parse(delivery.allowedNetworks().orElse(List.of()));
        } catch (IllegalArgumentException e) {
            out.println("WEBHOOKS_DELIVERY_ALLOWED_NETWORKS: " + e.getMessage());
            return USAGE;
        }
        DeadLetterReplay.Result result;
        try (HttpSender sender = new HttpSender(new AddressGuard(delivery.allowPrivateNetworks(), allowedNetworks,
                InetAddress::getAllByName), delivery.connectTimeout(), delivery.timeout(), clock)) {
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
            return STOPPED;
        }
        out.printf("Replayed %d dead-lettered deliveries of %s%n", result.replayed(), subscriptionId);
        return REPLAYED;
    }
}
