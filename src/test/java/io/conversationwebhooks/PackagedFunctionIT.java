package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.PackagedFunction;
import io.conversationwebhooks.testing.RetryQueuePoller;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.TemplateTables;
import io.conversationwebhooks.testing.TestCertificates;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Answer;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The packaged {@code target/function.zip} as Lambda runs it — the native {@code bootstrap} after
 * {@code ./build-native.sh --verify} (or {@code ./mvnw verify -Dnative}), the JVM zip under the Runtime Interface
 * Client otherwise — on the risks that only show in the built artifact: TLS trust, the address guard's DNS
 * resolution, the plain AWS SDK SQS client and the retry function chosen by {@code QUARKUS_FUNQY_EXPORT}, Lambda's
 * 6 MB payload within the function's memory, and a payload independent of the time zone and the locale.
 *
 * <p>Each test starts its own function process (a fresh Lambda execution environment) with the environment variables
 * of CONTRACT section 2, and feeds it Lambda events through a Lambda Runtime API on loopback.
 */
class PackagedFunctionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "whsec_cGFja2FnZWQgZnVuY3Rpb24gdGVzdCBzZWNyZXQgMDE=";
    private static final Duration INVOKE_TIMEOUT = Duration.ofSeconds(120);

    private static Path work;
    private static Path function;

    @BeforeAll
    static void unzip() throws IOException {
        work = Path.of("target", "packaged-function-it");
        function = PackagedFunction.unzip(Path.of("target", "function.zip"), work.resolve("function"));
    }

    @AfterAll
    static void describe() {
        System.out.println("PackagedFunctionIT ran on the " + (PackagedFunction.isNative(function) ? "native" : "JVM")
                + " function.zip");
    }

    @Test
    void https_is_delivered_only_to_a_certificate_the_trust_store_vouches_for() throws Exception {
        // given: four HTTPS subscribers, one per mailbox; the function trusts only the test CA
        TestCertificates certificates = TestCertificates.create(work.resolve("tls-" + UUID.randomUUID()));
        Map<String, Path> stores = new LinkedHashMap<>();
        stores.put("valid", certificates.issued("valid", "dns:localhost,ip:127.0.0.1", null, 2));
        stores.put("expired", certificates.issued("expired", "dns:localhost,ip:127.0.0.1", "-3d", 1));
        stores.put("wrong-host", certificates.issued("wrong-host", "dns:webhooks.example.org", null, 2));
        stores.put("untrusted", certificates.selfSigned("untrusted"));
        Map<String, WebhookReceiver> receivers = new LinkedHashMap<>();
        stores.forEach((name, store) -> receivers.put(name,
                WebhookReceiver.startHttps(TestCertificates.serverContext(store))));
        // a TLS handshake of a cold function on a loaded 2-core machine can take seconds: the attempt timeout must not
        // be what fails a delivery here
        Map<String, String> environment = new HashMap<>(Map.of("WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true",
                "WEBHOOKS_DELIVERY_MAX_ATTEMPTS", "1", "WEBHOOKS_DELIVERY_TIMEOUT", "40s"));
        List<ObjectNode> records = new ArrayList<>();
        int mailbox = 1;
        for (Map.Entry<String, WebhookReceiver> receiver : receivers.entrySet()) {
            subscribe(environment, mailbox - 1, receiver.getKey(), receiver.getValue().url("/hook"), mailbox);
            records.add(statusChange(700 + mailbox, mailbox, "10000000000000000070" + mailbox));
            mailbox++;
        }
        List<String> options = List.of("-Djavax.net.ssl.trustStore=" + certificates.trustStore().toAbsolutePath(),
                "-Djavax.net.ssl.trustStorePassword=" + TestCertificates.PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");

        // when
        String response;
        try (PackagedFunction running = start("https", options, environment)) {
            response = running.invoke(batch(records), INVOKE_TIMEOUT);
        } finally {
            receivers.values().forEach(WebhookReceiver::close);
        }

        // then: the CA-issued certificate for localhost got a verified webhook; the others got no request and
        // failed their record (no retry queue here)
        List<Received> valid = receivers.get("valid").requests();
        assertEquals(1, valid.size(), "the valid HTTPS subscriber received one webhook");
        assertEquals("convo.status", valid.get(0).header("x-freescout-event"));
        Signatures.assertStandardWebhooksValid(valid.get(0), SECRET);
        for (String refused : List.of("expired", "wrong-host", "untrusted")) {
            assertEquals(0, receivers.get(refused).requests().size(), refused + " certificate: no request completed");
        }
        assertEquals(Set.of("100000000000000000702", "100000000000000000703", "100000000000000000704"),
                failedSequenceNumbers(response), "records whose subscriber's certificate was refused");
    }

    @Test
    void the_payload_is_the_same_whatever_the_time_zone_and_the_locale() throws Exception {
        // given: a record with a zone-less time, epoch seconds and a name holding an 'i' (the Turkish dotless-i case)
        ObjectNode record = statusChange(801, 1, "100000000000000000801");
        ObjectNode newImage = (ObjectNode) record.path("dynamodb").path("NewImage");
        newImage.set("createdAt", JSON.createObjectNode().put("S", "2024-05-01 12:00:00"));
        newImage.set("updatedAt", JSON.createObjectNode().put("N", "1714564800"));
        newImage.set("subject", JSON.createObjectNode().put("S", "İstanbul office: invoice ıi"));

        // when: the same batch, once in UTC with the C locale and once far from both
        String reference = deliverOnce(record, Map.of("TZ", "UTC", "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8"),
                List.of());
        String elsewhere = deliverOnce(record, Map.of("TZ", "Pacific/Chatham", "LANG", "tr_TR.UTF-8",
                "LC_ALL", "tr_TR.UTF-8"), List.of("-Duser.timezone=Pacific/Chatham", "-Duser.language=tr",
                        "-Duser.country=TR"));

        // then
        assertEquals(reference, elsewhere, "the body does not depend on TZ or LANG");
        JsonNode body = JSON.readTree(elsewhere);
        assertEquals("2024-05-01T12:00:00Z", body.path("createdAt").asText());
        assertEquals("2024-05-01T12:00:00Z", body.path("updatedAt").asText());
        assertEquals("pending", body.path("status").asText());
        assertEquals("İstanbul office: invoice ıi", body.path("subject").asText());
    }

    @Test
    void the_address_guard_resolves_names_and_refuses_loopback_without_failing_the_record() throws Exception {
        // given: private networks not allowed; a subscriber named "localhost" and one given as 127.0.0.1
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, String> environment = new HashMap<>();
            String port = receiver.url("/").replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/$", "$1");
            subscribe(environment, 0, "by-name", "http://localhost:" + port + "/by-name", 1);
            subscribe(environment, 1, "by-address", receiver.url("/by-address"), 1);

            // when
            String response;
            List<String> refusals;
            List<String> metrics;
            try (PackagedFunction running = start("guard", List.of(), environment)) {
                response = running.invoke(batch(List.of(statusChange(901, 1, "100000000000000000901"))),
                        INVOKE_TIMEOUT);
                refusals = running.logLines("rejected");
                metrics = running.logLines("{\"_aws\"");
            }

            // then: nothing sent, the record is not reported (it can never succeed), and the WARN names each one
            assertEquals(0, receiver.requests().size(), "no request reached a loopback address");
            assertEquals(Set.of(), failedSequenceNumbers(response));
            assertTrue(refusals.stream().anyMatch(line -> line.contains("subscription by-name")), String.join("\n", refusals));
            assertTrue(refusals.stream().anyMatch(line -> line.contains("subscription by-address")),
                    String.join("\n", refusals));
            // the Lambda environment is present (AWS_LAMBDA_FUNCTION_NAME): log lines are JSON objects
            for (String line : refusals) {
                JsonNode json = JSON.readTree(line);
                assertEquals(json.get("message").asText().startsWith("Batch: ") ? "INFO" : "WARN", json.get("level").asText(),
                        line);
                assertTrue(json.get("logger").asText().startsWith("io.conversationwebhooks."), line);
                assertTrue(json.hasNonNull("time"), line);
            }
            // and the invocation's metrics: both refusals counted
            JsonNode totals = metrics.stream().map(PackagedFunctionIT::json)
                    .filter(line -> !line.has("SubscriptionId")).findFirst().orElseThrow();
            assertEquals(2, totals.get("DeliveriesRefused").asInt(), totals.toString());
            assertEquals(1, totals.get("Records").asInt(), totals.toString());
        }
    }

    @Test
    void a_failed_delivery_is_parked_on_sqs_and_the_retry_function_delivers_it() throws Exception {
        try (DynamoDbEmulator emulator = DynamoDbEmulator.start(); WebhookReceiver receiver = WebhookReceiver.start();
                DynamoDbClient dynamoDb = emulator.dynamoDb(); SqsClient sqs = emulator.sqs()) {
            // given: the tables and the FIFO queue of template.yaml; a subscriber that answers 503 at first
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            String subscriptions = "subscriptions-" + suffix;
            String deliveries = "deliveries-" + suffix;
            TemplateTables.create(dynamoDb, "SubscriptionsTable", subscriptions);
            TemplateTables.create(dynamoDb, "DeliveriesTable", deliveries);
            String queueUrl = TemplateTables.createQueue(sqs, "DeliveryRetryQueue", "retry-" + suffix + ".fifo");
            dynamoDb.putItem(b -> b.tableName(subscriptions).item(Map.of("id", AttributeValue.fromS("crm"),
                    "url", AttributeValue.fromS(receiver.url("/crm")), "secret", AttributeValue.fromS(SECRET))));
            receiver.rule("/crm", request -> Answer.status(503));
            Map<String, String> environment = new HashMap<>(Map.of(
                    "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", emulator.endpoint().toString(),
                    "AWS_ENDPOINT_URL_SQS", emulator.endpoint().toString(),
                    "WEBHOOKS_SUBSCRIPTIONS_TABLE", subscriptions,
                    "WEBHOOKS_DELIVERIES_TABLE", deliveries,
                    "WEBHOOKS_RETRY_QUEUE_URL", queueUrl,
                    "WEBHOOKS_RETRY_SCHEDULE", "1s,1s,1s",
                    "WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true",
                    "WEBHOOKS_DELIVERY_MAX_ATTEMPTS", "1"));

            // when: the stream function cannot deliver, so it parks
            String streamResponse;
            try (PackagedFunction stream = start("stream-parks", List.of(), environment)) {
                streamResponse = stream.invoke(batch(List.of(statusChange(1001, 1, "100000000000000001001"))),
                        INVOKE_TIMEOUT);
            }
            assertEquals(Set.of(), failedSequenceNumbers(streamResponse), "a parked delivery does not fail its record");
            assertEquals(1, receiver.requests("/crm").size(), "one inline attempt before parking");

            // and: the subscriber recovers; the retry function (same zip, QUARKUS_FUNQY_EXPORT) takes the message
            receiver.reset();
            Map<String, String> retryEnvironment = new HashMap<>(environment);
            retryEnvironment.put("QUARKUS_FUNQY_EXPORT", "conversation-webhooks-retry");
            try (PackagedFunction retry = start("retry-delivers", List.of(), retryEnvironment)) {
                RetryQueuePoller poller = new RetryQueuePoller(sqs, queueUrl,
                        event -> retry.invoke(event, INVOKE_TIMEOUT));
                poller.drain(Duration.ofSeconds(60));
                assertEquals(0, poller.messagesLeft(), "the queue is empty once the delivery is made");
            }

            // then: delivered once, signed, with the body of the original change
            List<Received> delivered = receiver.requests("/crm");
            assertEquals(1, delivered.size(), "the retry function delivered the parked webhook once");
            assertEquals("convo.status", delivered.get(0).header("x-freescout-event"));
            assertEquals(1001, JSON.readTree(delivered.get(0).bodyText()).path("id").asInt());
            Signatures.assertStandardWebhooksValid(delivered.get(0), SECRET);
        }
    }

    @Test
    void a_six_megabyte_batch_of_400_kilobyte_items_is_decoded_within_the_function_memory() throws Exception {
        // given: 7 records whose old and new image are each a 395 KB item (DynamoDB's item limit is 400 KB): 5.5 MB
        int records = 7;
        String big = "x".repeat(395 * 1024);
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            ObjectNode record = statusChange(1100 + i, 1, "10000000000000000110" + i);
            ((ObjectNode) record.path("dynamodb").path("OldImage")).set("subject", JSON.createObjectNode().put("S", big));
            ((ObjectNode) record.path("dynamodb").path("NewImage")).set("subject",
                    JSON.createObjectNode().put("S", big + i));
            batch.add(record);
        }
        String event = batch(batch);
        assertTrue(event.length() > 5_500_000 && event.length() <= 6 * 1024 * 1024,
                "the event is just under Lambda's 6 MB payload limit: " + event.length());
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, String> environment = new HashMap<>(Map.of("WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true"));
            subscribe(environment, 0, "big", receiver.url("/big"), 1);

            // when: the function runs with the heap of a 512 MB Lambda
            String response;
            long peakKilobytes;
            try (PackagedFunction running = start("six-megabytes", List.of("-Xmx445645k"), environment)) {
                response = running.invoke(event, INVOKE_TIMEOUT);
                peakKilobytes = peakResidentKilobytes(running.pid());
            }

            // then
            assertEquals(Set.of(), failedSequenceNumbers(response));
            List<Received> received = receiver.requests("/big");
            assertEquals(records, received.size());
            Set<String> subjects = new TreeSet<>();
            for (Received request : received) {
                subjects.add(JSON.readTree(request.bodyText()).path("subject").asText().substring(big.length()));
            }
            assertEquals(records, subjects.size(), "every record's own subject arrived whole");
            assertTrue(peakKilobytes < 512 * 1024, "peak resident memory " + peakKilobytes / 1024 + " MB < 512 MB");
            System.out.printf("6 MB batch: peak resident memory %d MB (%s)%n", peakKilobytes / 1024,
                    PackagedFunction.isNative(function) ? "native" : "JVM");
        }
    }

    private String deliverOnce(ObjectNode record, Map<String, String> locale, List<String> options) throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, String> environment = new HashMap<>(locale);
            environment.put("WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true");
            subscribe(environment, 0, "locale", receiver.url("/locale"), 1);
            try (PackagedFunction running = start("locale-" + locale.get("TZ").replace('/', '-'), options,
                    environment)) {
                String response = running.invoke(batch(List.of(record)), INVOKE_TIMEOUT);
                assertEquals(Set.of(), failedSequenceNumbers(response));
            }
            List<Received> received = receiver.requests("/locale");
            assertEquals(1, received.size());
            return received.get(0).bodyText();
        }
    }

    private static PackagedFunction start(String name, List<String> options, Map<String, String> environment)
            throws IOException {
        return PackagedFunction.startAny(function, options, environment, work.resolve(name + ".log"));
    }

    /** Adds {@code webhooks.subscriptions[index]} as the environment variables of CONTRACT section 2 name it. */
    private static void subscribe(Map<String, String> environment, int index, String id, String url, int mailbox) {
        String prefix = "WEBHOOKS_SUBSCRIPTIONS_" + index + "__";
        environment.put(prefix + "ID", id);
        environment.put(prefix + "URL", url);
        environment.put(prefix + "SECRET", SECRET);
        environment.put(prefix + "MAILBOXES", Integer.toString(mailbox));
    }

    /** A MODIFY record of conversation {@code id} in {@code mailbox}: status 1 active -> 2 pending. */
    private static ObjectNode statusChange(int id, int mailbox, String sequenceNumber) {
        ObjectNode record = JSON.createObjectNode();
        record.put("eventID", "e" + sequenceNumber);
        record.put("eventName", "MODIFY");
        record.put("eventVersion", "1.1");
        record.put("eventSource", "aws:dynamodb");
        record.put("awsRegion", DynamoDbEmulator.REGION);
        ObjectNode dynamodb = record.putObject("dynamodb");
        dynamodb.put("ApproximateCreationDateTime", 1796033700);
        dynamodb.putObject("Keys").putObject("id").put("N", Integer.toString(id));
        dynamodb.set("OldImage", image(id, mailbox, 1));
        dynamodb.set("NewImage", image(id, mailbox, 2));
        dynamodb.put("SequenceNumber", sequenceNumber);
        dynamodb.put("SizeBytes", 300);
        dynamodb.put("StreamViewType", "NEW_AND_OLD_IMAGES");
        record.put("eventSourceARN",
                "arn:aws:dynamodb:us-east-1:123456789012:table/conversations/stream/2026-11-30T00:00:00.000");
        return record;
    }

    private static ObjectNode image(int id, int mailbox, int status) {
        ObjectNode image = JSON.createObjectNode();
        image.putObject("id").put("N", Integer.toString(id));
        image.putObject("number").put("N", Integer.toString(2000 + id));
        image.putObject("mailboxId").put("N", Integer.toString(mailbox));
        image.putObject("status").put("N", Integer.toString(status));
        image.putObject("state").put("N", "2");
        image.putObject("type").put("N", "1");
        image.putObject("subject").put("S", "Invoice charged twice");
        image.putObject("createdAt").put("S", "2026-11-29T09:12:44Z");
        image.putObject("updatedAt").put("S", "2026-11-30T10:15:00Z");
        return image;
    }

    private static String batch(List<ObjectNode> records) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        records.forEach(array::add);
        return event.toString();
    }

    private static Set<String> failedSequenceNumbers(String response) throws IOException {
        Set<String> failed = new TreeSet<>();
        for (JsonNode failure : JSON.readTree(response).path("batchItemFailures")) {
            failed.add(failure.path("itemIdentifier").asText());
        }
        return failed;
    }

    /** VmHWM of the process: its peak resident set, in kB (Linux /proc). */
    private static long peakResidentKilobytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmHWM for process " + pid);
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
