package io.conversationwebhooks.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import io.conversationwebhooks.delivery.WebhookSigner;
import io.conversationwebhooks.subscription.DynamoDbSubscriptionRepository;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.RacingProxy;
import io.conversationwebhooks.testing.TemplateTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code ./subscriptions.sh} as an operator runs it (README, "Managing subscriptions"): a separate process started from
 * what the build made, against the subscriptions table of {@code template.yaml} in the emulator. The script runs from a
 * copy of the project whose {@code mvnw} only records that it was called, so a command that builds fails here.
 */
class SubscriptionsScriptTest {

    private static final String SECRET = "whsec_c3Vic2NyaXB0aW9ucyBzY3JpcHQgdGVzdCBzZWNyZXQ=";
    private static final String OLD_SECRET = "whsec_b2xkIHN1YnNjcmlwdGlvbnMgc2NyaXB0IHNlY3JldA==";
    private static final String HEADER_VALUE = "Bearer header-value-never-printed";
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Pattern PRINTED_SECRET = Pattern.compile("(?m)^(?:new )?secret: (whsec_\\S+)$");

    private static DynamoDbEmulator emulator;
    private static DynamoDbClient dynamoDb;
    private static String table;

    @TempDir
    Path copy;

    private String id;

    @BeforeAll
    static void start() {
        emulator = DynamoDbEmulator.start();
        dynamoDb = emulator.dynamoDb();
        table = "subscriptions-" + UUID.randomUUID().toString().substring(0, 8);
        TemplateTables.create(dynamoDb, "SubscriptionsTable", table);
    }

    @AfterAll
    static void stop() {
        dynamoDb.close();
        emulator.close();
    }

    @BeforeEach
    void copyProject() throws IOException {
        id = "crm-" + UUID.randomUUID().toString().substring(0, 8);
        Files.copy(PROJECT.resolve("subscriptions.sh"), copy.resolve("subscriptions.sh"));
        Files.writeString(copy.resolve("mvnw"), "#!/bin/sh\ntouch \"$(dirname \"$0\")/mvnw-was-called\"\nexit 97\n");
        Files.setPosixFilePermissions(copy.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(copy.resolve("subscriptions.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(copy.resolve("target"), PROJECT.resolve("target"));
    }

    @Test
    void add_writes_an_item_the_functions_accept_and_prints_its_new_secret_once() throws Exception {
        // when
        Run run = command("add", "--id", id, "--url", "https://crm.example.com/hooks", "--events",
                "convo.status,convo.created", "--mailboxes", "3,01", "--header", "Authorization=" + HEADER_VALUE);

        // then
        assertFalse(Files.exists(copy.resolve("mvnw-was-called")), "subscriptions.sh ran the build: " + run.output());
        assertEquals(0, run.exit(), run.output());
        assertFalse(run.output().contains(HEADER_VALUE), run.output());
        assertFalse(run.output().contains("ERROR"), run.output());
        String secret = printedSecret(run);
        assertEquals(32, Base64.getDecoder().decode(secret.substring("whsec_".length())).length);
        Map<String, AttributeValue> item = item(id);
        assertEquals(secret, item.get("secret").s());
        assertEquals("https://crm.example.com/hooks", item.get("url").s());
        assertEquals(Set.of("convo.status", "convo.created"), Set.copyOf(item.get("events").ss()));
        assertEquals(Set.of("3", "1"), Set.copyOf(item.get("mailboxes").ns()));
        assertEquals(HEADER_VALUE, item.get("headers").m().get("Authorization").s());
        assertTrue(item.get("enabled").bool());
        Subscription subscription = DynamoDbSubscriptionRepository.fromItem(item);
        assertEquals(Set.of("3", "1"), subscription.mailboxes());
    }

    @Test
    void add_keeps_a_given_secret_and_does_not_print_it() throws Exception {
        // when
        Run run = command("add", "--id", id, "--url", "https://crm.example.com/hooks", "--secret", SECRET);

        // then
        assertEquals(0, run.exit(), run.output());
        assertFalse(run.output().contains(SECRET), run.output());
        assertEquals(SECRET, item(id).get("secret").s());
        assertNull(item(id).get("events"), "no events attribute: all events");
    }

    @Test
    void add_of_an_existing_id_is_a_conflict_and_leaves_the_item_alone() throws Exception {
        // given
        put(Map.of("id", s(id), "url", s("https://first.example.com/"), "secret", s(SECRET)));

        // when
        Run run = command("add", "--id", id, "--url", "https://second.example.com/");

        // then
        assertEquals(4, run.exit(), run.output());
        assertTrue(run.output().contains("Subscription " + id + " exists already"), run.output());
        assertEquals("https://first.example.com/", item(id).get("url").s());
        assertEquals(SECRET, item(id).get("secret").s());
        assertFalse(PRINTED_SECRET.matcher(run.output()).find(), run.output());
    }

    @Test
    void add_refuses_what_the_functions_would_refuse_and_writes_nothing() throws Exception {
        // when: a header that overrides a contract header, a value with CR LF, a secret that is not base64, an event
        // that does not exist
        Run override = command("add", "--id", id, "--url", "https://crm.example.com/", "--header",
                "X-FreeScout-Event=" + HEADER_VALUE);
        Run crlf = command("add", "--id", id, "--url", "https://crm.example.com/", "--header",
                "X-Api-Key=" + HEADER_VALUE + "\r\nX-Injected: 1");
        Run badSecret = command("add", "--id", id, "--url", "https://crm.example.com/", "--secret", "whsec_@@@");
        Run badEvent = command("add", "--id", id, "--url", "https://crm.example.com/", "--events", "convo.closed");

        // then
        for (Run run : List.of(override, crlf, badSecret, badEvent)) {
            assertEquals(2, run.exit(), run.output());
            assertFalse(run.output().contains(HEADER_VALUE), run.output());
        }
        assertTrue(override.output().contains("would override a header of the contract"), override.output());
        assertTrue(badSecret.output().contains("secret starts with whsec_ but the rest is not base64"), badSecret.output());
        assertTrue(badEvent.output().contains("Unknown event 'convo.closed'"), badEvent.output());
        assertNull(item(id), "nothing written");
    }

    @Test
    void list_and_show_print_header_names_but_no_secret_and_no_header_value() throws Exception {
        // given: a subscription rotating its secret, with a static header, and an item the functions refuse
        long expiresAt = Instant.now().plus(Duration.ofHours(5)).getEpochSecond();
        put(Map.of("id", s(id), "url", s("https://crm.example.com/hooks"), "secret", s(SECRET), "previousSecrets",
                AttributeValue.fromL(List.of(previous(OLD_SECRET, expiresAt))), "headers",
                AttributeValue.fromM(Map.of("X-Api-Key", s(HEADER_VALUE))), "mailboxes", AttributeValue.fromNs(List.of("7"))));
        String refused = id + "-refused";
        put(Map.of("id", s(refused), "url", s("https://crm.example.com/"), "secret", s(SECRET), "headers",
                AttributeValue.fromM(Map.of("Host", s(HEADER_VALUE)))));

        // when
        Run list = command("list");
        Run show = command("show", id);

        // then
        assertEquals(0, list.exit(), list.output());
        assertEquals(0, show.exit(), show.output());
        for (Run run : List.of(list, show)) {
            assertFalse(run.output().contains(SECRET.substring(6)), run.output());
            assertFalse(run.output().contains(OLD_SECRET.substring(6)), run.output());
            assertFalse(run.output().contains("header-value-never-printed"), run.output());
            assertFalse(run.output().contains("whsec_"), run.output());
        }
        assertTrue(list.output().contains(id + "  enabled  https://crm.example.com/hooks  events=all  mailboxes=7  "
                + "headers=X-Api-Key  previousSecrets=1"), list.output());
        assertTrue(list.output().contains(refused + "  REFUSED by the functions: header Host would override"),
                list.output());
        assertTrue(show.output().contains("headers:         X-Api-Key (values not shown)"), show.output());
        assertTrue(show.output().contains("previousSecrets: expires " + Instant.ofEpochSecond(expiresAt)
                + " (still signs)"), show.output());
    }

    @Test
    void disable_and_enable_set_enabled_and_an_unknown_id_exits_1() throws Exception {
        // given: enabled absent, which means true
        put(Map.of("id", s(id), "url", s("https://crm.example.com/"), "secret", s(SECRET)));

        // when / then
        Run disable = command("disable", id);
        assertEquals(0, disable.exit(), disable.output());
        assertFalse(item(id).get("enabled").bool());
        Run again = command("disable", id);
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("is already disabled"), again.output());
        Run enable = command("enable", id);
        assertEquals(0, enable.exit(), enable.output());
        assertTrue(item(id).get("enabled").bool());
        Run unknown = command("enable", id + "-nobody");
        assertEquals(1, unknown.exit(), unknown.output());
        assertNull(item(id + "-nobody"), "enable created nothing");
    }

    @Test
    void rotate_secret_keeps_the_old_secret_for_the_duration_and_drops_expired_ones() throws Exception {
        // given: one previous secret already expired, one still valid
        long expired = Instant.now().minusSeconds(60).getEpochSecond();
        long stillValid = Instant.now().plus(Duration.ofHours(2)).getEpochSecond();
        String stillValidSecret = "whsec_c3RpbGwgdmFsaWQgcHJldmlvdXMgc2VjcmV0";
        put(Map.of("id", s(id), "url", s("https://crm.example.com/"), "secret", s(SECRET), "previousSecrets",
                AttributeValue.fromL(List.of(previous(OLD_SECRET, expired), previous(stillValidSecret, stillValid)))));

        // when
        long before = Instant.now().getEpochSecond();
        Run run = command("rotate-secret", id, "--keep-previous", "24h");
        long after = Instant.now().getEpochSecond();

        // then
        assertEquals(0, run.exit(), run.output());
        String secret = printedSecret(run);
        assertNotEquals(SECRET, secret);
        assertEquals(1, run.output().split(Pattern.quote(secret.substring(6)), -1).length - 1, "printed once");
        Map<String, AttributeValue> item = item(id);
        assertEquals(secret, item.get("secret").s());
        List<AttributeValue> previous = item.get("previousSecrets").l();
        assertEquals(2, previous.size(), previous.toString());
        assertEquals(SECRET, previous.get(0).m().get("secret").s());
        long expiresAt = Long.parseLong(previous.get(0).m().get("expiresAt").n());
        assertTrue(expiresAt >= before + 86_400 && expiresAt <= after + 86_400, "expiresAt " + expiresAt);
        assertEquals(stillValidSecret, previous.get(1).m().get("secret").s());
        assertEquals(stillValid, Long.parseLong(previous.get(1).m().get("expiresAt").n()));
    }

    @Test
    void rotate_secret_without_keep_previous_stops_the_old_secret_at_once() throws Exception {
        // given
        put(Map.of("id", s(id), "url", s("https://crm.example.com/"), "secret", s(SECRET)));

        // when
        Run run = command("rotate-secret", id);

        // then
        assertEquals(0, run.exit(), run.output());
        Map<String, AttributeValue> item = item(id);
        assertEquals(printedSecret(run), item.get("secret").s());
        assertNull(item.get("previousSecrets"));
        assertEquals(1, DynamoDbSubscriptionRepository.fromItem(item).secretsValidAt(Instant.now()).size(),
                "only the new secret signs");
    }

    @Test
    void a_rotation_that_loses_the_race_to_another_operator_writes_nothing_and_exits_4() throws Exception {
        // given: another operator's rotation lands between this command's read and its write
        put(Map.of("id", s(id), "url", s("https://crm.example.com/"), "secret", s(SECRET)));
        String theirs = "whsec_dGhlIG90aGVyIG9wZXJhdG9yJ3Mgc2VjcmV0IQ==";
        Run run;
        try (RacingProxy proxy = RacingProxy.start(emulator.endpoint(), "UpdateItem",
                () -> dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                        .updateExpression("SET secret = :theirs").expressionAttributeValues(Map.of(":theirs", s(theirs)))))) {
            // when
            run = command(proxy.endpoint(), "rotate-secret", id, "--keep-previous", "1h");
            assertTrue(proxy.raced(), "the competing change was made");
        }

        // then: their secret stands, no previousSecrets were written, and no secret was handed out
        assertEquals(4, run.exit(), run.output());
        assertTrue(run.output().contains("changed (or was removed) since it was read"), run.output());
        assertEquals(theirs, item(id).get("secret").s());
        assertNull(item(id).get("previousSecrets"));
        assertFalse(run.output().contains("whsec_"), run.output());
    }

    @Test
    void a_disable_that_loses_the_race_to_another_operator_writes_nothing_and_exits_4() throws Exception {
        // given: a disabled subscription that another operator enables (and moves) between this command's read and
        // its write
        put(Map.of("id", s(id), "url", s("https://crm.example.com/"), "secret", s(SECRET), "enabled",
                AttributeValue.fromBool(false)));
        Run run;
        try (RacingProxy proxy = RacingProxy.start(emulator.endpoint(), "UpdateItem",
                () -> dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                        .updateExpression("SET enabled = :on, #u = :url").expressionAttributeNames(Map.of("#u", "url"))
                        .expressionAttributeValues(Map.of(":on", AttributeValue.fromBool(true), ":url",
                                s("https://moved.example.com/")))))) {
            // when: this operator enables it too, from the disabled state it read
            run = command(proxy.endpoint(), "enable", id);
            assertTrue(proxy.raced(), "the competing change was made");
        }

        // then
        assertEquals(4, run.exit(), run.output());
        assertEquals("https://moved.example.com/", item(id).get("url").s());
    }

    @Test
    void a_rotation_made_by_the_command_is_honoured_by_the_functions_signer() throws Exception {
        // given
        put(Map.of("id", s(id), "url", s("https://crm.example.com/"), "secret", s(SECRET)));
        Run run = command("rotate-secret", id, "--keep-previous", "24h");
        assertEquals(0, run.exit(), run.output());
        String newSecret = printedSecret(run);
        Subscription subscription = new DynamoDbSubscriptionRepository(dynamoDb, table, Duration.ZERO,
                Clock.systemUTC()).subscriptions().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow();
        byte[] body = "{\"id\":1001,\"subject\":\"Gr\u00fc\u00dfe\"}".getBytes(UTF_8);
        String webhookId = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();

        // when: signed now, during the keep period, and with the secrets valid after it
        String during = WebhookSigner.standardSignatures(subscription.secretsValidAt(Instant.ofEpochSecond(now)),
                webhookId, now, body);
        String afterExpiry = WebhookSigner.standardSignatures(
                subscription.secretsValidAt(Instant.ofEpochSecond(now).plus(Duration.ofHours(25))), webhookId, now, body);

        // then: a receiver holding either secret verifies during the keep period; after it, only the new one
        String payload = new String(body, UTF_8);
        assertDoesNotThrow(() -> new Webhook(newSecret).verify(payload, headers(webhookId, now, during)));
        assertDoesNotThrow(() -> new Webhook(SECRET).verify(payload, headers(webhookId, now, during)));
        assertDoesNotThrow(() -> new Webhook(newSecret).verify(payload, headers(webhookId, now, afterExpiry)));
        assertThrows(WebhookVerificationException.class,
                () -> new Webhook(SECRET).verify(payload, headers(webhookId, now, afterExpiry)));
    }

    @Test
    void readme_and_help_name_every_command_option_setting_and_exit_status() throws Exception {
        // given
        String readme = Files.readString(PROJECT.resolve("README.md"));
        int from = readme.indexOf("### Managing subscriptions");
        assertTrue(from >= 0, "README has a \"Managing subscriptions\" section");
        int end = readme.indexOf("\n## ", from);
        int next = readme.indexOf("\n### ", from + 1);
        String section = readme.substring(from, next > 0 && (end < 0 || next < end) ? next : end < 0 ? readme.length() : end);

        // when
        Run help = command("--help");

        // then
        assertEquals(0, help.exit(), help.output());
        for (String word : List.of("list", "show ID", "add", "disable ID", "enable ID", "rotate-secret ID", "--id",
                "--url", "--events", "--mailboxes", "--header", "--secret", "--keep-previous")) {
            assertTrue(section.contains(word), word + " in README's section");
            assertTrue(help.output().contains(word), word + " in --help: " + help.output());
        }
        for (String setting : List.of("WEBHOOKS_SUBSCRIPTIONS_TABLE", "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", "AWS_REGION")) {
            assertTrue(section.contains("`" + setting + "`"), setting + " in README's section");
            assertTrue(help.output().contains(setting), setting + " in --help");
        }
        for (String status : List.of("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |")) {
            assertTrue(section.contains(status), "exit status " + status + " in README's section");
        }
        Matcher secret = Pattern.compile("whsec_[A-Za-z0-9+/=]{4,}").matcher(section);
        assertFalse(secret.find(), "README's example prints whsec_... instead of a real secret");
    }

    private static String printedSecret(Run run) {
        Matcher matcher = PRINTED_SECRET.matcher(run.output());
        assertTrue(matcher.find(), "a secret line in " + run.output());
        String secret = matcher.group(1);
        assertFalse(matcher.find(), "one secret line");
        return secret;
    }

    private static HttpHeaders headers(String webhookId, long timestamp, String signature) {
        return HttpHeaders.of(Map.of("webhook-id", List.of(webhookId), "webhook-timestamp",
                List.of(Long.toString(timestamp)), "webhook-signature", List.of(signature)), (name, value) -> true);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue previous(String secret, long expiresAt) {
        return AttributeValue.fromM(Map.of("secret", s(secret), "expiresAt", AttributeValue.fromN(Long.toString(expiresAt))));
    }

    private static void put(Map<String, AttributeValue> item) {
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    private static Map<String, AttributeValue> item(String id) {
        var response = dynamoDb.getItem(b -> b.tableName(table).key(Map.of("id", s(id))).consistentRead(true));
        return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
    }

    private Run command(String... args) throws Exception {
        return command(emulator.endpoint(), args);
    }

    private Run command(URI endpoint, String... args) throws Exception {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(copy.resolve("subscriptions.sh").toString());
        commandLine.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("WEBHOOKS_") || name.startsWith("QUARKUS_") || name.startsWith("AWS_"));
        env.putAll(new HashMap<>(Map.of("WEBHOOKS_SUBSCRIPTIONS_TABLE", table, "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE",
                endpoint.toString(), "AWS_REGION", DynamoDbEmulator.REGION, "AWS_ACCESS_KEY_ID", DynamoDbEmulator.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", DynamoDbEmulator.SECRET_KEY)));
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (var reader = process.inputReader(UTF_8)) {
            reader.lines().forEach(lines::add);
        }
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "subscriptions.sh did not end");
        return new Run(process.exitValue(), String.join("\n", lines));
    }

    private record Run(int exit, String output) {
    }
}
