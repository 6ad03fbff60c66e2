package io.conversationwebhooks.admin;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.CommandLineDynamoDb;
import io.conversationwebhooks.config.ConfigReader;
import io.conversationwebhooks.config.WebhooksConfig;
import io.conversationwebhooks.subscription.DynamoDbSubscriptionRepository;
import io.conversationwebhooks.subscription.PreviousSecret;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.SubscriptionFactory;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * {@code ./subscriptions.sh}: manages the subscriptions table of CONTRACT section 4 for operators.
 *
 * <ul>
 * <li>{@code list}: one line per item, valid or not;</li>
 * <li>{@code show ID}: one subscription in full;</li>
 * <li>{@code add --id ID --url URL [--events E,E] [--mailboxes N,N] [--header NAME=VALUE]... [--secret S]}: creates
 * an enabled subscription, with a new {@code whsec_} secret (32 random bytes) unless one is given;</li>
 * <li>{@code disable ID}, {@code enable ID}: sets {@code enabled};</li>
 * <li>{@code rotate-secret ID [--keep-previous DURATION]}: a new current secret; the old one keeps signing until now +
 * DURATION (a {@code previousSecrets} entry, CONTRACT section 6), or stops at once without the option. Entries already
 * expired are dropped.</li>
 * </ul>
 *
 * <p>A subscription is checked by the rules the functions read it with ({@link SubscriptionFactory#build},
 * {@link DynamoDbSubscriptionRepository#fromItem}); {@code add} also refuses event names the functions do not know and a
 * URL that is not absolute http(s). Secrets are printed only by {@code add} and {@code rotate-secret}, once; header
 * values never. Every write is conditional on what was read
 * (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html">
 * condition expressions</a>), so an operator never overwrites another's change: {@code add} on
 * {@code attribute_not_exists(id)}, {@code disable}/{@code enable} on the {@code enabled} value read,
 * {@code rotate-secret} on the {@code secret} read.
 *
 * <p>Exit status: {@value #DONE} done; {@value #NOT_FOUND} no item with that id; {@value #USAGE} usage or
 * configuration error, or a subscription the rules refuse; {@value #AWS_ERROR} a DynamoDB call failed;
 * {@value #CONFLICT} the id exists already ({@code add}) or the item changed since it was read: nothing was written.
 *
 * <p>Configuration: the functions' own ({@link WebhooksConfig}, read by {@link ConfigReader}), of which it uses
 * {@link #SETTINGS}; AWS region and credentials as the SDK reads them ({@link CommandLineDynamoDb}).
 */
public final class SubscriptionsCommand {

    /** Exit status: done. */
    public static final int DONE = 0;
    /** Exit status: no subscription with that id. */
    public static final int NOT_FOUND = 1;
    /** Exit status: usage or configuration error, or a subscription the rules refuse; nothing was written. */
    public static final int USAGE = 2;
    /** Exit status: a DynamoDB call failed. */
    public static final int AWS_ERROR = 3;
    /** Exit status: the id exists already, or the item changed since it was read; nothing was written. */
    public static final int CONFLICT = 4;

    /** The environment variables the command reads (README, "Managing subscriptions"). */
    public static final List<String> SETTINGS = List.of("WEBHOOKS_SUBSCRIPTIONS_TABLE",
            "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", "QUARKUS_DYNAMODB_API_CALL_TIMEOUT",
            "QUARKUS_DYNAMODB_API_CALL_ATTEMPT_TIMEOUT", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN");

    private static final String USAGE_TEXT = """
            usage: ./subscriptions.sh list
                   ./subscriptions.sh show ID
                   ./subscriptions.sh add --id ID --url URL [--events E1,E2] [--mailboxes N1,N2] [--header NAME=VALUE]... [--secret SECRET]
                   ./subscriptions.sh disable ID
                   ./subscriptions.sh enable ID
                   ./subscriptions.sh rotate-secret ID [--keep-previous DURATION]   (DURATION: 24h, 30m, 7d, PT1H)
                   ./subscriptions.sh --help""";

    /** Bytes of a generated secret's key: 32, as the Standard Webhooks libraries generate. */
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SubscriptionsCommand() {
    }

    public static void main(String[] args) {
        // JBoss Logging (used by the classes shared with the functions) finds JBoss LogManager on the class path; unless
        // it is also the JUL log manager, it reports "ERROR: The LogManager accessed before ..." on first use.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        System.exit(run(List.of(args), System.getenv(), System.out, Clock.systemUTC()));
    }

    /**
     * Runs the command.
     *
     * @param args the command and its arguments, or {@code --help}
     * @param env the environment
     * @param out where lines are printed
     * @param clock the time of a rotation (expiry times are epoch seconds from it)
     * @return the exit status, {@link #DONE}, {@link #NOT_FOUND}, {@link #USAGE}, {@link #AWS_ERROR} or
     *         {@link #CONFLICT}
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, Clock clock) {
        if (args.isEmpty()) {
            out.println(USAGE_TEXT);
            return USAGE;
        }
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            out.println(USAGE_TEXT);
            out.println("Settings (environment; see README, \"Managing subscriptions\"): " + String.join(", ", SETTINGS));
            out.println("Exit status: 0 done, 1 no such subscription, 2 usage, configuration or invalid subscription, "
                    + "3 DynamoDB call failed, 4 conflict (id exists, or the item changed since it was read)");
            return DONE;
        }
        Operation operation;
        try {
            operation = Operation.parse(args);
        } catch (UsageException e) {
            out.println(e.getMessage());
            out.println(USAGE_TEXT);
            return USAGE;
        }
        SmallRyeConfig config;
        String table;
        try {
            config = ConfigReader.read(env);
            table = config.getConfigMapping(WebhooksConfig.class).subscriptionSource().subscriptionsTable().orElse("");
        } catch (RuntimeException e) {
            out.println("Configuration error: " + e.getMessage());
            return USAGE;
        }
        if (table.isBlank()) {
            out.println("WEBHOOKS_SUBSCRIPTIONS_TABLE must name the subscriptions table");
            return USAGE;
        }
        try (DynamoDbClient dynamoDb = CommandLineDynamoDb.build(config, env)) {
            return new Session(dynamoDb, table, out, clock).perform(operation);
        } catch (UsageException e) {
            out.println(e.getMessage());
            return USAGE;
        } catch (ConditionalCheckFailedException e) {
            out.println(operation.conflict() + " Nothing was written; run ./subscriptions.sh show " + operation.id()
                    + " and try again if it still applies.");
            return CONFLICT;
        } catch (SdkException e) {
            out.println("DynamoDB call failed (" + e.getClass().getSimpleName() + "): " + e.getMessage());
            return AWS_ERROR;
        }
    }

    /** A parsed command line. Options are {@code --name value}; {@code --header} may repeat. */
    private record Operation(String command, String id, String url, List<String> events, List<String> mailboxes,
            Map<String, String> headers, String secret, Duration keepPrevious) {

        static Operation parse(List<String> args) {
            String command = args.get(0);
            List<String> positional = new ArrayList<>();
            Map<String, String> options = new HashMap<>();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    positional.add(arg);
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new UsageException(arg + " needs a value");
                }
                String value = args.get(++i);
                if (arg.equals("--header")) {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        throw new UsageException("--header takes NAME=VALUE");
                    }
                    String name = value.substring(0, equals);
                    if (headers.keySet().stream().anyMatch(name::equalsIgnoreCase)) {
                        throw new UsageException("--header " + name + " is given twice");
                    }
                    headers.put(name, value.substring(equals + 1));
                } else if (options.put(arg, value) != null) {
                    throw new UsageException(arg + " is given twice");
                }
            }
            List<String> allowed = switch (command) {
                case "list" -> List.of();
                case "show", "disable", "enable" -> List.of();
                case "rotate-secret" -> List.of("--keep-previous");
                case "add" -> List.of("--id", "--url", "--events", "--mailboxes", "--secret");
                default -> throw new UsageException("Unknown command '" + command + "'");
            };
            for (String option : options.keySet()) {
                if (!allowed.contains(option)) {
                    throw new UsageException(command + " takes no option " + option);
                }
            }
            if (!headers.isEmpty() && !command.equals("add")) {
                throw new UsageException(command + " takes no option --header");
            }
            int expected = command.equals("list") || command.equals("add") ? 0 : 1;
            if (positional.size() != expected) {
                throw new UsageException(expected == 0 ? command + " takes no ID argument" : command + " takes one ID");
            }
            String id = expected == 1 ? positional.get(0) : options.get("--id");
            if (command.equals("add") && (id == null || id.isBlank() || options.get("--url") == null)) {
                throw new UsageException("add needs --id and --url");
            }
            Duration keepPrevious = null;
            if (options.containsKey("--keep-previous")) {
                try {
                    keepPrevious = DurationConverter.parseDuration(options.get("--keep-previous"));
                } catch (RuntimeException e) {
                    keepPrevious = null;
                }
                if (keepPrevious == null || keepPrevious.isNegative() || keepPrevious.isZero()) {
                    throw new UsageException("--keep-previous takes a positive duration, e.g. 24h, 30m, 7d or PT1H");
                }
            }
            return new Operation(command, id, options.get("--url"), list(options.get("--events")),
                    list(options.get("--mailboxes")), headers, options.get("--secret"), keepPrevious);
        }

        private static List<String> list(String commaSeparated) {
            if (commaSeparated == null || commaSeparated.isBlank()) {
                return List.of();
            }
            return List.of(commaSeparated.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        /** What a failed write condition means for this command. */
        String conflict() {
            return switch (command) {
                case "add" -> "Subscription " + id + " exists already.";
                default -> "Subscription " + id + " changed (or was removed) since it was read: another change won.";
            };
        }
    }

    /** Bad input; its message is printed and the status is {@link #USAGE}. */
    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** One invocation against the table. */
    private record Session(DynamoDbClient dynamoDb, String table, PrintStream out, Clock clock) {

        int perform(Operation operation) {
            return switch (operation.command()) {
                case "list" -> list();
                case "show" -> show(operation.id());
                case "add" -> add(operation);
                case "disable" -> setEnabled(operation.id(), false);
                case "enable" -> setEnabled(operation.id(), true);
                case "rotate-secret" -> rotate(operation.id(), operation.keepPrevious());
                default -> throw new IllegalStateException(operation.command());
            };
        }

        private int list() {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            dynamoDb.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build()).items()
                    .forEach(items::add);
            items.sort(Comparator.comparing(item -> Optional.ofNullable(item.get("id")).map(AttributeValue::s).orElse("")));
            for (Map<String, AttributeValue> item : items) {
                String id = Optional.ofNullable(item.get("id")).map(AttributeValue::s).orElse("?");
                try {
                    Subscription subscription = DynamoDbSubscriptionRepository.fromItem(item);
                    out.printf("%s  %s  %s  events=%s  mailboxes=%s  headers=%s  previousSecrets=%d%n", id,
                            subscription.enabled() ? "enabled" : "disabled", subscription.url(),
                            events(subscription), mailboxes(subscription),
                            subscription.headers().isEmpty() ? "none" : String.join(",", subscription.headers().keySet()),
                            validPrevious(subscription).size());
                } catch (IllegalArgumentException e) {
                    out.printf("%s  REFUSED by the functions: %s%n", id, e.getMessage());
                }
            }
            out.printf("%d subscriptions in %s%n", items.size(), table);
            return DONE;
        }

        private int show(String id) {
            Map<String, AttributeValue> item = get(id);
            if (item == null) {
                return notFound(id);
            }
            Subscription subscription;
            try {
                subscription = DynamoDbSubscriptionRepository.fromItem(item);
            } catch (IllegalArgumentException e) {
                out.println("id:              " + id);
                out.println("REFUSED by the functions: " + e.getMessage());
                return DONE;
            }
            out.println("id:              " + id);
            out.println("enabled:         " + subscription.enabled());
            if (!subscription.enabled() && item.get("disabledReason") != null) {
                out.println("disabledReason:  " + item.get("disabledReason").s() + Optional.ofNullable(item.get("disabledAt"))
                        .map(at -> " (at " + at.s() + ")").orElse(""));
            }
            out.println("url:             " + subscription.url());
            out.println("events:          " + events(subscription));
            out.println("mailboxes:       " + mailboxes(subscription));
            out.println("headers:         " + (subscription.headers().isEmpty() ? "none"
                    : String.join(", ", subscription.headers().keySet()) + " (values not shown)"));
            out.println("secret:          set (not shown)");
            List<PreviousSecret> previous = subscription.previousSecrets();
            if (previous.isEmpty()) {
                out.println("previousSecrets: none");
            }
            Instant now = clock.instant();
            for (PreviousSecret secret : previous) {
                out.println("previousSecrets: expires " + secret.expiresAt()
                        + (secret.validAt(now) ? " (still signs)" : " (expired)"));
            }
            return DONE;
        }

        private int add(Operation operation) {
            for (String event : operation.events()) {
                if (ConversationEvent.byName(event).isEmpty()) {
                    throw new UsageException("Unknown event '" + event + "'; the events are "
                            + List.of(ConversationEvent.values()).stream().map(ConversationEvent::eventName).toList());
                }
            }
            checkUrl(operation.url());
            boolean generated = operation.secret() == null;
            String secret = generated ? newSecret() : operation.secret();
            Subscription subscription;
            try {
                subscription = SubscriptionFactory.build(operation.id(), operation.url(), operation.events(),
                        operation.mailboxes(), secret, List.of(), operation.headers(), true);
            } catch (IllegalArgumentException e) {
                throw new UsageException("Subscription " + operation.id() + " refused: " + e.getMessage());
            }
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put("id", AttributeValue.fromS(subscription.id()));
            item.put("url", AttributeValue.fromS(subscription.url()));
            if (!subscription.events().isEmpty()) {
                item.put("events", AttributeValue.fromSs(List.copyOf(subscription.events())));
            }
            if (!subscription.mailboxes().isEmpty()) {
                item.put("mailboxes", AttributeValue.fromNs(List.copyOf(subscription.mailboxes())));
            }
            item.put("secret", AttributeValue.fromS(secret));
            if (!subscription.headers().isEmpty()) {
                Map<String, AttributeValue> headers = new LinkedHashMap<>();
                subscription.headers().forEach((name, value) -> headers.put(name, AttributeValue.fromS(value)));
                item.put("headers", AttributeValue.fromM(headers));
            }
            item.put("enabled", AttributeValue.fromBool(true));
            dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(id)"));
            out.println("Added subscription " + subscription.id() + " (enabled) to " + table);
            if (generated) {
                out.println("secret: " + secret);
                out.println("Give this secret to the subscriber now: it is not printed again.");
            }
            return DONE;
        }

        private int setEnabled(String id, boolean enabled) {
            Map<String, AttributeValue> item = get(id);
            if (item == null) {
                return notFound(id);
            }
            AttributeValue stored = item.get("enabled");
            if (stored != null && stored.bool() == null) {
                throw new UsageException("Subscription " + id + ": enabled is not BOOL; fix the item first");
            }
            boolean current = stored == null || stored.bool();
            String state = enabled ? "enabled" : "disabled";
            if (current == enabled) {
                out.println("Subscription " + id + " is already " + state);
                return DONE;
            }
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":new", AttributeValue.fromBool(enabled));
            String condition;
            if (stored == null) {
                condition = "attribute_exists(id) AND attribute_not_exists(enabled)";
            } else {
                condition = "enabled = :current";
                values.put(":current", stored);
            }
            dynamoDb.updateItem(b -> b.tableName(table).key(key(id)).updateExpression("SET enabled = :new")
                    .conditionExpression(condition).expressionAttributeValues(values));
            out.println("Subscription " + id + " is now " + state);
            return DONE;
        }

        private int rotate(String id, Duration keepPrevious) {
            Map<String, AttributeValue> item = get(id);
            if (item == null) {
                return notFound(id);
            }
            try {
                DynamoDbSubscriptionRepository.fromItem(item);
            } catch (IllegalArgumentException e) {
                throw new UsageException("Subscription " + id + " is refused by the functions (" + e.getMessage()
                        + "); fix the item first");
            }
            Instant now = clock.instant();
            String current = item.get("secret").s();
            List<AttributeValue> previous = new ArrayList<>();
            Instant oldExpiresAt = null;
            if (keepPrevious != null) {
                oldExpiresAt = now.plus(keepPrevious);
                previous.add(previousSecret(current, oldExpiresAt.getEpochSecond()));
            }
            int dropped = 0;
            AttributeValue stored = item.get("previousSecrets");
            if (stored != null && stored.hasL()) {
                for (AttributeValue entry : stored.l()) {
                    long expiresAt = new BigDecimal(entry.m().get("expiresAt").n()).longValueExact();
                    if (expiresAt > now.getEpochSecond()) {
                        previous.add(entry);
                    } else {
                        dropped++;
                    }
                }
            }
            String secret = newSecret();
            String update = previous.isEmpty() ? "SET secret = :new REMOVE previousSecrets"
                    : "SET secret = :new, previousSecrets = :previous";
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":new", AttributeValue.fromS(secret));
            values.put(":current", AttributeValue.fromS(current));
            if (!previous.isEmpty()) {
                values.put(":previous", AttributeValue.fromL(previous));
            }
            dynamoDb.updateItem(b -> b.tableName(table).key(key(id)).updateExpression(update)
                    .conditionExpression("secret = :current").expressionAttributeValues(values));
            out.println("Rotated the secret of subscription " + id);
            out.println("new secret: " + secret);
            out.println(oldExpiresAt == null ? "The previous secret no longer signs."
                    : "The previous secret also signs until " + oldExpiresAt.truncatedTo(ChronoUnit.SECONDS)
                            + " (expiresAt " + oldExpiresAt.getEpochSecond() + ").");
            if (dropped > 0) {
                out.println("Dropped " + dropped + " expired previous secret(s).");
            }
            out.println("Give the new secret to the subscriber now: it is not printed again.");
            return DONE;
        }

        private Map<String, AttributeValue> get(String id) {
            var response = dynamoDb.getItem(b -> b.tableName(table).key(key(id)).consistentRead(true));
            return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
        }

        private int notFound(String id) {
            out.println("No subscription " + id + " in " + table);
            return NOT_FOUND;
        }

        private List<PreviousSecret> validPrevious(Subscription subscription) {
            Instant now = clock.instant();
            return subscription.previousSecrets().stream().filter(secret -> secret.validAt(now)).toList();
        }
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("id", AttributeValue.fromS(id));
    }

    private static AttributeValue previousSecret(String secret, long expiresAt) {
        return AttributeValue.fromM(Map.of("secret", AttributeValue.fromS(secret), "expiresAt",
                AttributeValue.fromN(Long.toString(expiresAt))));
    }

    /** The events in the order of CONTRACT section 5 (unknown names last), or {@code all}. */
    private static String events(Subscription subscription) {
        return all(subscription.events().stream().sorted(Comparator.comparing(
                (String name) -> ConversationEvent.byName(name).map(Enum::ordinal).orElse(Integer.MAX_VALUE))
                .thenComparing(Comparator.naturalOrder())).toList());
    }

    /** The mailbox ids in numeric order, or {@code all}. */
    private static String mailboxes(Subscription subscription) {
        return all(subscription.mailboxes().stream().sorted(Comparator.comparing(BigDecimal::new)).toList());
    }

    private static String all(Collection<String> values) {
        return values.isEmpty() ? "all" : String.join(",", values);
    }

    /** A new Standard Webhooks secret: {@code whsec_} and the base64 of {@value #SECRET_BYTES} random bytes. */
    private static String newSecret() {
        byte[] key = new byte[SECRET_BYTES];
        RANDOM.nextBytes(key);
        String secret = WebhookSecret.STANDARD_PREFIX + Base64.getEncoder().encodeToString(key);
        WebhookSecret.of(secret);
        return secret;
    }

    /** An absolute http or https URL with a host; the functions check the address when they deliver. */
    private static void checkUrl(String url) {
        try {
            URI uri = new URI(url.trim());
            if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new UsageException("--url must be an absolute http or https URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new UsageException("--url is not a URL: " + e.getReason());
        }
    }
}
