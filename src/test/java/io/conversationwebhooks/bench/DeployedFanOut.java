package io.conversationwebhooks.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.conversationwebhooks.testing.CountingProxy;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.PackagedFunction;
import io.conversationwebhooks.testing.TemplateTables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The fan-out as template.yaml deploys it (issue 14): the delivery ledger and the retry queue on, against a local
 * emulator (moto_server, or LocalStack where Docker runs), with every DynamoDB and SQS request of the function counted
 * by operation at a {@link CountingProxy} between the function and the emulator.
 *
 * <p>One {@link #measure} is one build (a function.zip): a fresh emulator with the ledger table and the retry queue
 * created from template.yaml, the function started with template.yaml's environment (subscriptions from configuration
 * instead of the subscriptions table: the table is read once a minute and written at most once per subscription per
 * health interval, never per record, and configuration keeps the run comparable with the ledger-off fan-out), one
 * unchecked warm-up batch, warm batches with new webhook-ids, then the last batch again, which must send nothing.
 * The environment holds only variables template.yaml sets (plus the endpoint overrides and longer SDK timeouts for
 * the emulator), so an older build runs unchanged.
 *
 * <p>The lower bound counts, besides the receivers' latency, the DynamoDB round trips no implementation can avoid:
 * the batch's ledger reads before its first delivery (at least one {@code BatchGetItem}), and the write of the last
 * outcomes after the last delivery (at least one {@code TransactWriteItems}); the other writes can overlap later
 * deliveries, since the next record of a conversation needs nothing from the ledger write of the one before. Both
 * round trips are measured here, through the same proxy and on the same table, just before the measured batches.
 */
final class DeployedFanOut {

    /** Starts the build being measured with the given environment; {@code run} names its log. */
    @FunctionalInterface
    interface Launcher {
        PackagedFunction launch(String run, Map<String, String> environment) throws IOException;
    }

    /**
     * The batch and the receivers: {@code records} over {@code conversations}, to {@code subscribers} answering after
     * {@code latencyMillis}, {@code warmRuns} measured batches.
     */
    record Shape(int records, int conversations, int subscribers, int latencyMillis, int warmRuns) {
    }

    /**
     * The emulator's round trips as the function sees them (through the proxy), median of {@code calls} sequential
     * calls from the harness after a warm-up, in ms: a consistent {@code BatchGetItem} of 100 absent keys, and a
     * {@code TransactWriteItems} of 5 conditional Puts of ledger-sized items (one record's outcomes).
     */
    record RoundTrips(double batchGetMillis, double transactWriteMillis, int calls) {
    }

    /**
     * What one build measured.
     *
     * @param batch the last warm batch (all have the same records, conversations and events, with new webhook-ids)
     * @param wallMillis each warm batch, invocation to response
     * @param cpuMillis the function process's CPU time in each warm batch (user + system)
     * @param emulatorCpuMillis the emulator process's CPU time in each warm batch (user + system); empty when the
     *        emulator is not a child process of this JVM (LocalStack)
     * @param dynamoDb DynamoDB requests of each warm batch, by operation
     * @param sqs SQS requests of each warm batch, by operation
     * @param peakThreads the most threads the function had during the warm batches
     * @param redelivery DynamoDB requests of the last batch sent again (it sent no webhook)
     * @param load the 1-minute load average when the warm batches began
     * @param calibration what this machine charges a thread for one blocking call to the emulator, or null when not
     *        measured
     */
    record Result(String build, String emulator, ConversationBatch batch, int subscribers, List<Long> wallMillis,
            List<Long> cpuMillis, List<Long> emulatorCpuMillis, List<Map<String, Long>> dynamoDb,
            List<Map<String, Long>> sqs, int peakThreads, Map<String, Long> redelivery, RoundTrips roundTrips, String load,
            String calibration) {

        long deliveries() {
            return batch.deliveries(subscribers);
        }

        long medianWallMillis() {
            return median(wallMillis);
        }

        double cpuMicrosPerDelivery() {
            return median(cpuMillis) * 1000.0 / deliveries();
        }

        /**
         * How busy the emulator was: its CPU time over the wall time, summed over the warm batches, in %; empty when
         * unknown. Near 100 %, its one Python interpreter is what the batches waited for.
         */
        Optional<Double> emulatorBusyPercent() {
            if (emulatorCpuMillis.isEmpty()) {
                return Optional.empty();
            }
            long cpu = emulatorCpuMillis.stream().mapToLong(Long::longValue).sum();
            return Optional.of(cpu * 100.0 / wallMillis.stream().mapToLong(Long::longValue).sum());
        }

        /** DynamoDB requests per record of the median warm batch (by total). */
        double requestsPerRecord() {
            return median(dynamoDb.stream().map(DeployedFanOut::total).toList()) / (double) batch.records();
        }

        /** DynamoDB requests per record of each warm batch, formatted with two decimals. */
        List<String> requestsPerRecordByRun() {
            return dynamoDb.stream()
                    .map(counts -> String.format(Locale.ROOT, "%.2f", total(counts) / (double) batch.records())).toList();
        }
    }

    /**
     * The lower bound of the deployed fan-out, ms: {@code R + max(chain, slots, receivers) + W} where {@code R} is one
     * ledger read round trip, {@code W} one ledger write round trip, {@code chain} the longest conversation's sum over
     * its records of {@code events x L}, {@code slots} the sum of that over all records divided by the conversations in
     * progress at once, and {@code receivers} deliveries x L / B, B as in the fan-out.
     */
    record LowerBound(double millis, String explain) {

        static LowerBound of(ConversationBatch batch, int subscribers, int latencyMillis, RoundTrips trips,
                BenchmarkHarness.Bound bound) {
            double read = trips.batchGetMillis();
            double write = trips.transactWriteMillis();
            double chain = batch.criticalPathMillis(latencyMillis, 0);
            int slots = Math.min(bound.conversations(), batch.conversations());
            double slotBound = batch.recordMillis(latencyMillis, 0) / slots;
            double receivers = batch.deliveries(subscribers) * (double) latencyMillis / bound.total();
            double millis = read + Math.max(chain, Math.max(slotBound, receivers)) + write;
            String explain = String.format(Locale.ROOT, "R + max(chain: longest conversation's sum of events x %d ms"
                    + " = %,.0f ms; slots: all records' sum / %d conversations at once = %,.0f ms; receivers: %,d "
                    + "deliveries x %d ms / B %d = %,.0f ms) + W, R = BatchGetItem of 100 keys %.1f ms, W = TransactWriteItems "
                    + "of 5 Puts %.1f ms", latencyMillis, chain, slots, slotBound, batch.deliveries(subscribers),
                    latencyMillis, bound.total(), receivers, read, write);
            return new LowerBound(millis, explain);
        }
    }

    private static final Duration INVOKE_TIMEOUT = Duration.ofMinutes(10);
    private static final int ROUND_TRIP_CALLS = 21;

    private DeployedFanOut() {
    }

    /**
     * Measures one build.
     *
     * @param build name of the build, for logs and rows ("after (this build)", "before (function-jvm-7d331fc.zip)")
     * @param launcher starts that build
     * @param deployedEnvironment template.yaml's environment for the function, given the local value of each resource
     *        it names ({@code SubscriptionsTable}, {@code DeliveriesTable}, {@code DeliveryRetryQueue})
     * @param calibrate whether to measure the blocking-call calibration too (once per pass is enough)
     * @throws IllegalStateException when no emulator starts, or a warm batch fails or sends other than it owes
     */
    static Result measure(String build, Launcher launcher,
            Function<Map<String, String>, Map<String, String>> deployedEnvironment, Shape shape, boolean calibrate)
            throws IOException {
        String suffix = Long.toString(System.nanoTime());
        String logName = "deployed-" + build.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("-+$", "");
        try (DynamoDbEmulator emulator = DynamoDbEmulator.start();
                CountingProxy dynamoDbProxy = CountingProxy.start(emulator.endpoint());
                CountingProxy sqsProxy = CountingProxy.start(emulator.endpoint());
                DynamoDbClient admin = emulator.dynamoDb();
                DynamoDbClient proxied = client(dynamoDbProxy.endpoint());
                SqsClient sqs = emulator.sqs();
                LoopbackReceivers receivers = LoopbackReceivers.start(shape.subscribers(),
                        Duration.ofMillis(shape.latencyMillis()), 2)) {
            String table = "deliveries-bench-" + suffix;
            TemplateTables.create(admin, "DeliveriesTable", table);
            String queueUrl = TemplateTables.createQueue(sqs, "DeliveryRetryQueue", "retry-bench-" + suffix + ".fifo");
            String calibration = calibrate ? blockingCallCalibration(emulator, admin, table) : null;

            Map<String, String> env = new LinkedHashMap<>(deployedEnvironment.apply(Map.of(
                    "SubscriptionsTable", "configured",
                    "DeliveriesTable", table,
                    "DeliveryRetryQueue", queueUrl)));
            env.remove("WEBHOOKS_SUBSCRIPTIONS_TABLE");
            env.putAll(BenchmarkHarness.subscriptions(receivers.urls()));
            env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynamoDbProxy.endpoint().toString());
            env.put("WEBHOOKS_RETRY_SQS_ENDPOINT_OVERRIDE", sqsProxy.endpoint().toString());
            // The emulator answers hundreds of concurrent calls far slower than DynamoDB does: give it time, so that
            // records do not fail on the SDK's timeouts.
            env.put("QUARKUS_DYNAMODB_API_CALL_TIMEOUT", "60s");
            env.put("QUARKUS_DYNAMODB_API_CALL_ATTEMPT_TIMEOUT", "30s");
            progress("%s: deployed fan-out against %s (requests counted at %s), environment %s and %d configured "
                    + "subscriptions", build, emulator.name(), dynamoDbProxy.endpoint(), env.keySet().stream()
                            .filter(name -> !name.startsWith("WEBHOOKS_SUBSCRIPTIONS_")).toList(), receivers.urls().size());

            int subscribers = shape.subscribers();
            List<Long> walls = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            List<Long> emulatorCpu = new ArrayList<>();
            Optional<ProcessHandle> emulatorProcess = childProcess("moto");
            List<Map<String, Long>> dynamoDbCounts = new ArrayList<>();
            List<Map<String, Long>> sqsCounts = new ArrayList<>();
            int peakThreads = 0;
            String load;
            RoundTrips trips;
            ConversationBatch last = batch(shape, 43);
            try (PackagedFunction fn = launcher.launch(logName, env)) {
                // Warms the function up; not checked, since on a slow emulator a record may fail for Lambda to retry.
                String warmUp = fn.invoke(last.event(), INVOKE_TIMEOUT);
                if (!warmUp.equals(BenchmarkHarness.NO_FAILURES)) {
                    progress("%s: the warm-up batch reported failures (not counted): %.200s", build, warmUp);
                }
                trips = roundTrips(proxied, table);
                load = Machine.load();
                for (int run = 0; run < shape.warmRuns(); run++) {
                    last = batch(shape, 44 + run);
                    receivers.reset();
                    dynamoDbProxy.reset();
                    sqsProxy.reset();
                    ProcessStats before = ProcessStats.of(fn.pid());
                    Optional<ProcessStats> emulatorBefore = emulatorProcess.map(process -> ProcessStats.of(process.pid()));
                    long started = System.nanoTime();
                    String response;
                    try (ProcessStats.PeakSampler sampler = new ProcessStats.PeakSampler(fn.pid(), 5)) {
                        response = fn.invoke(last.event(), INVOKE_TIMEOUT);
                        walls.add((System.nanoTime() - started) / 1_000_000);
                        peakThreads = Math.max(peakThreads, sampler.maxThreads());
                    }
                    ProcessStats after = ProcessStats.of(fn.pid());
                    cpu.add(after.cpuMillis() - before.cpuMillis());
                    emulatorBefore.ifPresent(stats -> emulatorCpu.add(
                            ProcessStats.of(emulatorProcess.get().pid()).cpuMillis() - stats.cpuMillis()));
                    dynamoDbCounts.add(dynamoDbProxy.counts());
                    sqsCounts.add(sqsProxy.counts());
                    BenchmarkHarness.check(response, receivers, last.deliveries(subscribers), build + " warm run " + (run + 1));
                    progress("%s warm run %d: %,d ms, function CPU %,d ms, %d threads at most; DynamoDB %s, SQS %s",
                            build, run + 1, walls.get(run), cpu.get(run), peakThreads, dynamoDbCounts.get(run),
                            sqsCounts.get(run));
                }
                // The last batch again: every delivery is in the ledger, so none may be sent a second time.
                receivers.reset();
                dynamoDbProxy.reset();
                String again = fn.invoke(last.event(), INVOKE_TIMEOUT);
                if (!again.equals(BenchmarkHarness.NO_FAILURES) || receivers.requests() != 0) {
                    throw new IllegalStateException(build + ": a redelivered batch sent " + receivers.requests()
                            + " requests, expected none; response " + again);
                }
            }
            return new Result(build, emulator.name(), last, subscribers, walls, cpu, emulatorCpu, dynamoDbCounts, sqsCounts,
                    peakThreads, dynamoDbProxy.counts(), trips, load, calibration);
        }
    }

    /**
     * The live child process of this JVM (or its descendant) whose command line names {@code name}, the most recently
     * started if several; empty when there is none (an emulator in a container) or the system does not tell.
     */
    private static Optional<ProcessHandle> childProcess(String name) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(process -> process.info().commandLine().map(command -> command.contains(name)).orElse(false))
                .max(Comparator.comparing(process -> process.info().startInstant().orElse(Instant.EPOCH)));
    }

    private static ConversationBatch batch(Shape shape, long seed) {
        return ConversationBatch.generate(shape.records(), shape.conversations(), ConversationBatch.Items.REALISTIC, seed);
    }

    /**
     * Measures {@link RoundTrips} on the ledger table: absent keys for the read, as for a batch seen the first time,
     * and new items with the ledger's condition ({@code attribute_not_exists}) for the write.
     */
    private static RoundTrips roundTrips(DynamoDbClient dynamoDb, String table) {
        int warmUp = 5;
        List<Long> reads = new ArrayList<>();
        List<Long> writes = new ArrayList<>();
        for (int call = 0; call < warmUp + ROUND_TRIP_CALLS; call++) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (int key = 0; key < 100; key++) {
                keys.add(Map.of("webhookId", AttributeValue.fromS("msg_absent" + call + "x" + key),
                        "subscriptionId", AttributeValue.fromS("bench-" + key % 5)));
            }
            long started = System.nanoTime();
            dynamoDb.batchGetItem(b -> b.requestItems(Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build())));
            long read = System.nanoTime() - started;
            List<TransactWriteItem> puts = new ArrayList<>();
            for (int subscriber = 0; subscriber < 5; subscriber++) {
                puts.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                        .item(ledgerItem("msg_roundtrip" + call, "bench-" + subscriber))
                        .conditionExpression("attribute_not_exists(#webhookId)")
                        .expressionAttributeNames(Map.of("#webhookId", "webhookId")).build()).build());
            }
            started = System.nanoTime();
            dynamoDb.transactWriteItems(b -> b.transactItems(puts));
            long write = System.nanoTime() - started;
            if (call >= warmUp) {
                reads.add(read);
                writes.add(write);
            }
        }
        return new RoundTrips(median(reads) / 1e6, median(writes) / 1e6, ROUND_TRIP_CALLS);
    }

    /** A delivered outcome with the attributes the ledger writes for one (README "Delivery guarantees"). */
    private static Map<String, AttributeValue> ledgerItem(String webhookId, String subscriptionId) {
        Instant now = Instant.now();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("webhookId", AttributeValue.fromS(webhookId));
        item.put("subscriptionId", AttributeValue.fromS(subscriptionId));
        item.put("outcome", AttributeValue.fromS("delivered"));
        item.put("event", AttributeValue.fromS("convo.status"));
        item.put("conversationKey", AttributeValue.fromS("{\"id\":{\"N\":\"10001\"}}"));
        item.put("sequenceNumber", AttributeValue.fromS("100000000000000000123"));
        item.put("attempts", AttributeValue.fromN("1"));
        item.put("lastStatus", AttributeValue.fromN("204"));
        item.put("latencyMillis", AttributeValue.fromN("51"));
        item.put("createdAt", AttributeValue.fromS(now.toString()));
        item.put("updatedAt", AttributeValue.fromS(now.toString()));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(now.plus(Duration.ofDays(7)).getEpochSecond())));
        return item;
    }

    /**
     * What this machine charges a thread for one blocking call to the emulator, with and without the AWS SDK, measured
     * in the harness JVM (full JIT) with the thread's CPU time. On a kernel that accounts CPU by timer ticks
     * ({@code CONFIG_TICK_CPU_ACCOUNTING}), a thread that blocks and wakes for every call is charged far more than it
     * computes; the bare call shows how much of the ledger figure is that.
     */
    private static String blockingCallCalibration(DynamoDbEmulator emulator, DynamoDbClient dynamoDb, String table) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest describe = HttpRequest.newBuilder(emulator.endpoint())
                .header("X-Amz-Target", "DynamoDB_20120810.DescribeTable")
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=bench/20260101/" + DynamoDbEmulator.REGION
                        + "/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("{\"TableName\":\"" + table + "\"}"))
                .build();
        int calls = 300;
        int rounds = 4;
        double[] bare = new double[rounds];
        double[] sdk = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long started = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                try {
                    http.send(describe, HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            bare[round] = (threads.getCurrentThreadCpuTime() - started) / 1e3 / calls;
            started = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                dynamoDb.describeTable(d -> d.tableName(table));
            }
            sdk[round] = (threads.getCurrentThreadCpuTime() - started) / 1e3 / calls;
        }
        return String.format(Locale.ROOT, "blocking-call calibration (harness JVM, full JIT, %d rounds of %d calls each, "
                + "last round): a bare HTTP POST to the emulator is charged %.0f us of thread CPU, the same DescribeTable "
                + "through the AWS SDK %.0f us (first round %.0f and %.0f us)", rounds, calls, bare[rounds - 1],
                sdk[rounds - 1], bare[0], sdk[0]);
    }

    private static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.of(DynamoDbEmulator.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbEmulator.ACCESS_KEY, DynamoDbEmulator.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void progress(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
