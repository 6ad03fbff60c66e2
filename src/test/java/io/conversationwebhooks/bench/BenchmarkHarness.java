package io.conversationwebhooks.bench;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import com.fasterxml.jackson.databind.JsonNode;

import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.config.StreamConfig;
import io.conversationwebhooks.testing.DynamoDbEmulator;
import io.conversationwebhooks.testing.PackagedFunction;
import io.conversationwebhooks.testing.TemplateTables;
import io.smallrye.config.WithDefault;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The benchmark harness of issue 5, run by {@code ./bench.sh} (see BENCHMARKS.md): measures the packaged function
 * against the limits that matter to its users and prints one table, each figure with the machine it ran on and, where
 * there is a target, PASS or FAIL. Nothing here is asserted: timing is never a test.
 *
 * <ol>
 * <li><b>Fan-out</b>: N records over C conversations to M subscribers answering after L ms, through the packaged
 * function.zip (BatchProcessor, WebhookDeliveries, the Vert.x webhook client), against the lower bound
 * {@code max(critical path, deliveries x L / B)}; and a sequential baseline through the same process and code path
 * (one conversation at a time, one subscriber), measured on a slice and scaled linearly.</li>
 * <li><b>Fan-out as deployed</b> (issue 14): the same batch with the delivery ledger and the retry queue on, DynamoDB
 * requests counted, against a lower bound that adds the ledger's unavoidable round trips, {@link DeployedFanOut}; for
 * an older build too when {@code --baseline-zip} names one, printed before the current build's rows.</li>
 * <li><b>CPU per delivery</b>: JMH, {@link DeliveryCpuBenchmark}.</li>
 * <li><b>Start-up</b>: process start to the first batch's response, fresh process each time, median; and resident
 * memory after a 10,000-record batch to 10 subscribers.</li>
 * </ol>
 *
 * <p>The function runs as on a 512 MB Lambda (the template's default): {@code JAVA_TOOL_OPTIONS} exactly as
 * template.yaml sets it for the JVM packaging, and the JVM sees 512 MB with the serial collector and a heap of about
 * 85 % of it, as the managed Java runtime launches it. This machine's CPU is not throttled the way a 512 MB Lambda's
 * is (about 0.29 vCPU); BENCHMARKS.md says what that changes.
 */
public final class BenchmarkHarness {

    /** How Lambda's managed Java runtime starts the JVM of a 512 MB function (see BENCHMARKS.md). */
    static final List<String> LAMBDA_512_JVM = List.of("-XX:MaxRAM=512m", "-XX:MaxHeapSize=445m", "-XX:+UseSerialGC");

    private static final Duration INVOKE_TIMEOUT = Duration.ofMinutes(5);

    /** The function's response to a batch without failures. */
    static final String NO_FAILURES = "{\"batchItemFailures\":[]}";

    /** Lambda's limit on an invocation's payload (the event), 6 MB. */
    private static final int LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

    private final Settings settings;
    private final Path work = Path.of("target", "bench");
    private final String machine = Machine.describe();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private Path function;
    private String javaToolOptions;
    private List<String> functionJvm;
    private Machine.Others others = Machine.Others.start();
    /** The native function.zip, unzipped, when {@code --native-zip} names one. */
    private Path nativeFunction;
    /** The older builds that the fan-out as deployed is measured for too ({@code --baseline-zip}), unzipped. */
    private Optional<Path> baselineFunction = Optional.empty();
    private Optional<Path> baselineNativeFunction = Optional.empty();
    /** Which build the parts measure now: the JVM zip as deployed, the native binary, or the JVM zip with C2. */
    private Pass pass = Pass.JVM;
    /** Function CPU per delivery in the fan-out, microseconds, per pass that measured it. */
    private final Map<Pass, Double> fanOutCpuMicros = new LinkedHashMap<>();
    /** Rows before this index carry their pass's name already. */
    private int labelled;

    /** The builds one run measures side by side. */
    private enum Pass {
        JVM("JVM"), NATIVE("native"), JVM_C2("JVM, C2");

        final String label;

        Pass(String label) {
            this.label = label;
        }
    }

    /**
     * How the native binary is started for a 512 MB function: the same maximum heap as the JVM's
     * ({@link #LAMBDA_512_JVM}); the binary takes no other option on Lambda.
     */
    static final List<String> LAMBDA_512_NATIVE = List.of("-Xmx445m");

    private BenchmarkHarness(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        // The counting proxy of the fan-out as deployed is the JDK's HttpServer, which leaves Nagle's algorithm on
        // unless told otherwise: with the clients' delayed ACKs each proxied request then took about 50 ms more here
        // (a BatchGetItem of 100 keys: 8 ms to moto_server directly, 60 ms through the proxy; 11 ms with this).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Settings settings = Settings.parse(args);
        new BenchmarkHarness(settings).run();
    }

    /** Command-line settings, {@code --name=value}; defaults are issue 5's. */
    record Settings(int records, int conversations, int subscribers, int latencyMillis, int sequentialSlice,
            int warmRuns, int startups, int memoryRecords, int memorySubscribers, boolean jmh, boolean quickJmh,
            List<String> only, Optional<String> javaToolOptions, List<String> functionJvmExtra,
            Optional<String> nativeZip, boolean c2FanOut, Optional<String> baselineZip,
            Optional<String> baselineNativeZip) {

        static Settings parse(String[] args) {
            Map<String, String> values = new HashMap<>();
            for (String arg : args) {
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("arguments are --name=value, got " + arg);
                }
                int eq = arg.indexOf('=');
                values.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "true" : arg.substring(eq + 1));
            }
            Settings settings = new Settings(integer(values, "records", 1000), integer(values, "conversations", 200),
                    integer(values, "subscribers", 5), integer(values, "latency-ms", 50),
                    integer(values, "sequential-slice", 100), integer(values, "warm-runs", 3),
                    integer(values, "startups", 5), integer(values, "memory-records", 10_000),
                    integer(values, "memory-subscribers", 10), !values.containsKey("no-jmh"),
                    values.containsKey("quick-jmh"),
                    values.containsKey("only") ? List.of(values.remove("only").split(",")) : List.of(),
                    Optional.ofNullable(values.remove("java-tool-options")),
                    values.containsKey("function-jvm")
                            ? Stream.of(values.remove("function-jvm").split("\\s+")).filter(o -> !o.isBlank()).toList()
                            : List.of(),
                    Optional.ofNullable(values.remove("native-zip")), values.remove("c2-fanout") != null,
                    Optional.ofNullable(values.remove("baseline-zip")),
                    Optional.ofNullable(values.remove("baseline-native-zip")));
            if (settings.baselineNativeZip().isPresent() && settings.nativeZip().isEmpty()) {
                throw new IllegalArgumentException("--baseline-native-zip needs --native or --native-zip");
            }
            for (String known : List.of("records", "conversations", "subscribers", "latency-ms", "sequential-slice",
                    "warm-runs", "startups", "memory-records", "memory-subscribers", "no-jmh", "quick-jmh")) {
                values.remove(known);
            }
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + values.keySet());
            }
            return settings;
        }

        private static int integer(Map<String, String> values, String name, int fallback) {
            String value = values.get(name);
            return value == null ? fallback : Integer.parseInt(value);
        }

        boolean runs(String part) {
            return only.isEmpty() || only.contains(part);
        }
    }

    /** One line of the table. */
    private record Row(String figure, String measured, String target, String verdict, String machine) {
    }

    private void run() throws Exception {
        Path zip = Path.of("target", "function.zip");
        if (!Files.exists(zip)) {
            throw new IllegalStateException("target/function.zip is missing: run ./mvnw package first (./bench.sh does)");
        }
        function = PackagedFunction.unzip(zip, work.resolve("function"));
        baselineFunction = unzipBaseline(settings.baselineZip(), "function-baseline", false);
        baselineNativeFunction = unzipBaseline(settings.baselineNativeZip(), "function-baseline-native", true);
        javaToolOptions = settings.javaToolOptions().orElseGet(BenchmarkHarness::templateJavaToolOptions);
        functionJvm = new ArrayList<>(LAMBDA_512_JVM);
        functionJvm.addAll(settings.functionJvmExtra());
        progress("machine: %s; function JVM: %s, JAVA_TOOL_OPTIONS=%s", machine, String.join(" ", functionJvm),
                javaToolOptions);
        if (settings.runs("fanout")) {
            fanOut();
        }
        if (settings.runs("ledger")) {
            deployedFanOut();
        }
        if (settings.jmh() && settings.runs("cpu")) {
            cpuPerDelivery();
        }
        if (settings.runs("startup")) {
            startUp();
        }
        if (settings.runs("memory")) {
            memory();
        }
        if (settings.nativeZip().isPresent()) {
            nativeFunction = PackagedFunction.unzip(Path.of(settings.nativeZip().get()), work.resolve("function-native"));
            if (!PackagedFunction.isNative(nativeFunction)) {
                throw new IllegalStateException(settings.nativeZip().get() + " has no bootstrap: not a native function.zip");
            }
            label(Pass.JVM);
            pass = Pass.NATIVE;
            progress("native pass: %s, options %s", settings.nativeZip().get(), LAMBDA_512_NATIVE);
            if (settings.runs("fanout")) {
                fanOut();
            }
            if (settings.runs("ledger")) {
                deployedFanOut();
            }
            if (settings.runs("startup")) {
                startUp();
            }
            if (settings.runs("memory")) {
                memory();
            }
            label(Pass.NATIVE);
        }
        if (settings.c2FanOut() && settings.runs("fanout")) {
            label(pass);
            pass = Pass.JVM_C2;
            String deployed = javaToolOptions;
            javaToolOptions = "";
            progress("JVM pass with C2 (JAVA_TOOL_OPTIONS unset): fan-out");
            fanOut();
            javaToolOptions = deployed;
            label(Pass.JVM_C2);
        }
        judgeNativeCpu();
        print();
    }

    /** Rows added since the last call get the pass's name in front, when another build is measured too. */
    private void label(Pass measured) {
        for (int i = labelled; i < rows.size(); i++) {
            Row row = rows.get(i);
            rows.set(i, new Row("[" + measured.label + "] " + row.figure(), row.measured(), row.target(), row.verdict(),
                    row.machine()));
        }
        labelled = rows.size();
    }

    /** Issue 9's target: the native binary's CPU per delivery no worse than the JVM's with C2 (fan-out, whole process). */
    private void judgeNativeCpu() {
        Double nativeCpu = fanOutCpuMicros.get(Pass.NATIVE);
        Double c2 = fanOutCpuMicros.get(Pass.JVM_C2);
        if (nativeCpu != null && c2 != null) {
            rows.add(new Row("Native function CPU per delivery in the fan-out against the JVM's with C2",
                    String.format(Locale.ROOT, "%.1f us vs %.1f us", nativeCpu, c2), "native <= JVM C2",
                    verdict(nativeCpu <= c2), "same run"));
        }
    }

    /**
     * Starts the function of the current pass: the JVM zip under the Runtime Interface Client with the 512 MB JVM
     * options, or the native {@code bootstrap} with {@link #LAMBDA_512_NATIVE}.
     */
    private PackagedFunction launch(String label, Map<String, String> env) throws IOException {
        return pass == Pass.NATIVE ? PackagedFunction.startNative(nativeFunction, LAMBDA_512_NATIVE, env, log(label))
                : PackagedFunction.start(function, jvm(label), env, log(label));
    }

    /** The function's output file of a run, named after the pass and the run. */
    private Path log(String label) {
        return work.resolve((pass == Pass.JVM ? "" : pass.name().toLowerCase(Locale.ROOT) + "-") + label + ".log");
    }

    /** Unzips an older build named by {@code --baseline-zip} or {@code --baseline-native-zip}, checking its kind. */
    private Optional<Path> unzipBaseline(Optional<String> zip, String directory, boolean nativeBuild) throws IOException {
        if (zip.isEmpty()) {
            return Optional.empty();
        }
        Path unzipped = PackagedFunction.unzip(Path.of(zip.get()), work.resolve(directory));
        if (PackagedFunction.isNative(unzipped) != nativeBuild) {
            throw new IllegalStateException(zip.get() + (nativeBuild ? " is not a native function.zip"
                    : " is a native function.zip: --baseline-zip takes a JVM one, --baseline-native-zip a native one"));
        }
        return Optional.of(unzipped);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fan-out

    private void fanOut() throws IOException {
        int m = settings.subscribers();
        Duration latency = Duration.ofMillis(settings.latencyMillis());
        ConversationBatch batch = ConversationBatch.generate(settings.records(), settings.conversations(),
                ConversationBatch.Items.REALISTIC, 42);
        long deliveries = batch.deliveries(m);
        Bound bound = Bound.atDefaults(m);
        double criticalPathMillis = batch.criticalPathRoundTrips() * (double) settings.latencyMillis();
        double throughputBoundMillis = deliveries * (double) settings.latencyMillis() / bound.total();
        double lowerBound = Math.max(criticalPathMillis, throughputBoundMillis);
        String event = batch.event();
        progress("fan-out: %,d records over %,d conversations x %d subscribers = %,d deliveries; event %,d bytes; "
                + "image %,d bytes; B = %s", batch.records(), batch.conversations(), m, deliveries,
                event.getBytes(StandardCharsets.UTF_8).length, batch.imageBytes(), bound.explain());

        try (LoopbackReceivers receivers = LoopbackReceivers.start(m, latency, 2)) {
            // The first rounds warm the receivers' JIT up; the last one is the figure.
            receivers.selfCheck((int) deliveries, bound.total(), Duration.ofMinutes(2));
            receivers.selfCheck((int) deliveries, bound.total(), Duration.ofMinutes(2));
            String loadSelfCheck = Machine.load();
            Duration selfCheck = receivers.selfCheck((int) deliveries, bound.total(), Duration.ofMinutes(2));
            double selfIdeal = Math.ceil(deliveries / (double) bound.total()) * settings.latencyMillis();
            details.add(String.format(Locale.ROOT, "receiver self-check: %,d requests, %d in flight, from a Vert.x client "
                    + "in the harness JVM: %,d ms (ideal %,.0f ms, %.2fx) [load %s]", deliveries, bound.total(),
                    selfCheck.toMillis(), selfIdeal, selfCheck.toMillis() / selfIdeal, loadSelfCheck));
            receivers.reset();

            Map<String, String> env = subscriptions(receivers.urls());
            List<Long> warm = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            long coldConnections;
            String coldMachine;
            long warmConnections = 0;
            long maxFiles = 0;
            String coldLoad;
            long coldMillis;
            String warmLoad = Machine.load();
            try (PackagedFunction fn = launch("fanout", withToolOptions(env))) {
                coldLoad = Machine.load();
                measuring();
                String response = fn.invoke(event, INVOKE_TIMEOUT);
                coldMillis = fn.millisSinceStart();
                check(response, receivers, deliveries, "fan-out cold");
                coldConnections = receivers.connections();
                coldMachine = machine(coldLoad);
                measuring();
                for (int run = 0; run < settings.warmRuns(); run++) {
                    receivers.reset();
                    warmLoad = Machine.load();
                    ProcessStats before = ProcessStats.of(fn.pid());
                    long started = System.nanoTime();
                    try (ProcessStats.PeakSampler sampler = new ProcessStats.PeakSampler(fn.pid(), 5)) {
                        response = fn.invoke(event, INVOKE_TIMEOUT);
                        warm.add((System.nanoTime() - started) / 1_000_000);
                        maxFiles = Math.max(maxFiles, sampler.maxOpenFiles());
                    }
                    ProcessStats after = ProcessStats.of(fn.pid());
                    cpu.add(after.cpuMillis() - before.cpuMillis());
                    warmConnections += receivers.connections();
                    check(response, receivers, deliveries, "fan-out warm run " + (run + 1));
                    progress("fan-out warm run %d: %,d ms, function CPU %,d ms, receivers saw at most %d in flight over "
                            + "%d new connections; peak open files %d", run + 1, warm.get(run), cpu.get(run),
                            receivers.maxInFlight(), receivers.connections(), maxFiles);
                }
            }
            long wall = median(warm);
            long cpuMedian = median(cpu);
            String params = String.format(Locale.ROOT, "%,d records, %d conversations, %d subscribers, L = %d ms",
                    batch.records(), batch.conversations(), m, settings.latencyMillis());
            rows.add(new Row("Fan-out wall time (" + params + "; warm, median of " + warm.size() + ")",
                    millis(wall), "", "", machine(warmLoad)));
            rows.add(new Row(String.format(Locale.ROOT, "Lower bound max(critical path %d x %d ms, %,d deliveries x %d ms"
                    + " / B = %d)", batch.criticalPathRoundTrips(), settings.latencyMillis(), deliveries,
                    settings.latencyMillis(), bound.total()), millis(lowerBound), "", "", machine(warmLoad)));
            double ratio = wall / lowerBound;
            rows.add(new Row("Fan-out wall time / lower bound", String.format(Locale.ROOT, "%.2fx", ratio), "<= 1.2x",
                    verdict(ratio <= 1.2), machine(warmLoad)));
            rows.add(new Row("Deliveries per second (fan-out, warm)",
                    String.format(Locale.ROOT, "%,.0f /s", deliveries * 1000.0 / wall), "", "", machine(warmLoad)));
            fanOutCpuMicros.put(pass, cpuMedian * 1000.0 / deliveries);
            rows.add(new Row("Function CPU per delivery in the fan-out (whole process: HTTP client, GC, JIT)",
                    String.format(Locale.ROOT, "%.1f us", cpuMedian * 1000.0 / deliveries), "", "", machine(warmLoad)));
            rows.add(new Row("First batch of the fan-out, from process start (cold)", millis(coldMillis), "", "",
                    coldMachine));
            details.add("B: " + bound.explain());
            details.add(String.format(Locale.ROOT, "fan-out warm runs (ms): %s; function CPU per run (ms): %s; peak open "
                    + "files in the function: %d", warm, cpu, maxFiles));
            details.add(String.format(Locale.ROOT, "connections the receivers accepted: %d during the first batch (%d "
                    + "subscribers), %d during the %d warm batches (kept-alive connections reused)", coldConnections, m,
                    warmConnections, warm.size()));

            if (pass == Pass.JVM) {
                sequentialBaseline(batch, receivers, wall, deliveries);
            }
        }
    }

    private void sequentialBaseline(ConversationBatch batch, LoopbackReceivers receivers, long fanOutWall,
            long deliveries) throws IOException {
        int slice = Math.min(settings.sequentialSlice(), batch.records() / 2);
        ConversationBatch warmUp = batch.slice(0, slice);
        ConversationBatch measured = batch.slice(slice, slice);
        Map<String, String> env = subscriptions(receivers.urls().subList(0, 1));
        env.put("WEBHOOKS_STREAM_MAX_CONCURRENT_CONVERSATIONS", "1");
        long sliceMillis;
        String load;
        try (PackagedFunction fn = launch("sequential", withToolOptions(env))) {
            receivers.reset();
            check(fn.invoke(batch.event(0, slice), INVOKE_TIMEOUT), receivers, warmUp.deliveries(1), "sequential warm-up");
            receivers.reset();
            load = Machine.load();
            measuring();
            long started = System.nanoTime();
            String response = fn.invoke(batch.event(slice, slice), INVOKE_TIMEOUT);
            sliceMillis = (System.nanoTime() - started) / 1_000_000;
            check(response, receivers, measured.deliveries(1), "sequential slice");
            if (receivers.maxInFlight() > 1) {
                throw new IllegalStateException("the sequential baseline had " + receivers.maxInFlight() + " in flight");
            }
        }
        double perDelivery = sliceMillis / (double) measured.deliveries(1);
        double scaled = perDelivery * deliveries;
        progress("sequential: %d records x 1 subscriber = %d deliveries in %,d ms (%.1f ms each)", slice,
                measured.deliveries(1), sliceMillis, perDelivery);
        rows.add(new Row(String.format(Locale.ROOT, "Sequential baseline (same code path, 1 conversation and 1 subscriber"
                + " at a time: %d-record slice %,d ms, scaled to %,d deliveries)", slice, sliceMillis, deliveries),
                millis(scaled), "", "", machine(load)));
        double speedUp = scaled / fanOutWall;
        rows.add(new Row("Speed-up of the fan-out over the sequential baseline",
                String.format(Locale.ROOT, "%.0fx", speedUp), ">= 20x", verdict(speedUp >= 20), machine(load)));
    }

    /**
     * The fan-out as template.yaml deploys it ({@link DeployedFanOut}: delivery ledger and retry queue on, requests
     * counted), for the build of this pass and, when {@code --baseline-zip} (JVM pass) or {@code --baseline-native-zip}
     * (native pass) names an older build, for that one too; each figure is then printed before, then after.
     */
    private void deployedFanOut() throws IOException {
        DeployedFanOut.Shape shape = new DeployedFanOut.Shape(settings.records(), settings.conversations(),
                settings.subscribers(), settings.latencyMillis(), settings.warmRuns());
        Optional<Path> baseline = pass == Pass.NATIVE ? baselineNativeFunction
                : pass == Pass.JVM ? baselineFunction : Optional.empty();
        List<List<Row>> builds = new ArrayList<>();
        if (baseline.isPresent()) {
            String zip = Path.of(pass == Pass.NATIVE ? settings.baselineNativeZip().get() : settings.baselineZip().get())
                    .getFileName().toString();
            Path unzipped = baseline.get();
            builds.add(deployedRows("before (" + zip + ")", "before: ", (run, env) -> pass == Pass.NATIVE
                    ? PackagedFunction.startNative(unzipped, LAMBDA_512_NATIVE, env, log(run))
                    : PackagedFunction.start(unzipped, jvm(run), env, log(run)), shape, false));
        }
        builds.add(deployedRows(baseline.isPresent() ? "after (this build)" : "this build",
                baseline.isPresent() ? "after: " : "", this::launch, shape, true));
        for (int figure = 0; figure < builds.get(builds.size() - 1).size(); figure++) {
            for (List<Row> build : builds) {
                if (figure < build.size()) {
                    rows.add(build.get(figure));
                }
            }
        }
    }

    /** Measures one build as deployed and returns its rows, each figure's name starting with {@code prefix}. */
    private List<Row> deployedRows(String build, String prefix, DeployedFanOut.Launcher launcher,
            DeployedFanOut.Shape shape, boolean calibrate) throws IOException {
        DeployedFanOut.Result result;
        measuring();
        try {
            result = DeployedFanOut.measure(build, launcher, this::deployedEnvironmentWithAllowedPrivateNetworks, shape,
                    calibrate);
        } catch (RuntimeException e) {
            // Shown in the table, not hidden: the other parts still run.
            progress("%s: the fan-out as deployed failed: %s", build, e.getMessage());
            String message = String.valueOf(e.getMessage());
            return List.of(new Row(prefix + "Fan-out as deployed (delivery ledger and retry queue on)", "not measured",
                    "", "ERROR", message.length() > 200 ? message.substring(0, 200) + "..." : message));
        }
        String machine = machine(result.load());
        int m = shape.subscribers();
        Bound bound = Bound.atDefaults(m);
        DeployedFanOut.LowerBound lowerBound = DeployedFanOut.LowerBound.of(result.batch(), m, shape.latencyMillis(),
                result.roundTrips(), bound);
        long wall = result.medianWallMillis();
        double ratio = wall / lowerBound.millis();
        double requests = result.requestsPerRecord();
        double cpu = result.cpuMicrosPerDelivery();
        List<Row> built = new ArrayList<>();
        built.add(new Row(String.format(Locale.ROOT, "%sFan-out as deployed: delivery ledger and retry queue on (%,d "
                + "records, %d conversations, %d subscribers, L = %d ms; %s on loopback; warm, median of %d)", prefix,
                shape.records(), shape.conversations(), m, shape.latencyMillis(), result.emulator(),
                result.wallMillis().size()), millis(wall), "", "", machine));
        result.emulatorBusyPercent().ifPresent(busy -> built.add(new Row(prefix + "Emulator busy during the fan-out "
                + "as deployed: its CPU time / the wall time (one Python interpreter: near 100 %, the batch waits for it,"
                + " not for round trips)", String.format(Locale.ROOT, "%.0f %%", busy), "", "", machine)));
        built.add(new Row(prefix + "Lower bound as deployed: " + lowerBound.explain(), millis(lowerBound.millis()), "",
                "", machine));
        built.add(new Row(prefix + "Fan-out as deployed / its lower bound", String.format(Locale.ROOT, "%.2fx", ratio),
                "<= 1.5x", verdict(ratio <= 1.5), machine));
        built.add(new Row(String.format(Locale.ROOT, "%sDynamoDB requests per record as deployed (%d subscribers, all "
                + "delivered; counted at a proxy in front of the emulator; warm batch of median count)", prefix, m),
                String.format(Locale.ROOT, "%.2f", requests), "<= 2", verdict(requests <= 2), machine));
        built.add(new Row(prefix + "Function CPU per delivery as deployed (whole process)",
                String.format(Locale.ROOT, "%,.1f us", cpu), "", "", machine));
        Double off = fanOutCpuMicros.get(pass);
        built.add(off == null
                ? new Row(prefix + "Function CPU per delivery, as deployed / ledger off", "not measured", "<= 2x", "",
                        "needs the ledger-off fan-out of this run (--only=fanout,ledger)")
                : new Row(String.format(Locale.ROOT, "%sFunction CPU per delivery, as deployed / ledger off (%.1f us in "
                        + "the fan-out above, this build)", prefix, off), String.format(Locale.ROOT, "%.2fx", cpu / off),
                        "<= 2x", verdict(cpu <= 2 * off), machine));
        details.add(String.format(Locale.ROOT, "%s, %s, deployed fan-out warm runs: wall (ms) %s; function CPU (ms) %s; at"
                + " most %d threads in the function; DynamoDB requests per record %s, by operation %s; SQS %s; "
                + "redelivering the last batch sent no webhook and made DynamoDB requests %s; emulator CPU (ms) %s",
                pass.label, build, result.wallMillis(), result.cpuMillis(), result.peakThreads(),
                result.requestsPerRecordByRun(), result.dynamoDb(), result.sqs(), result.redelivery(),
                result.emulatorCpuMillis()));
        details.add(String.format(Locale.ROOT, "%s, %s: emulator round trips through the proxy (median of %d sequential "
                + "calls after the warm-up batch, same table): BatchGetItem of 100 keys %.1f ms, TransactWriteItems of 5 "
                + "conditional Puts %.1f ms", pass.label, build, result.roundTrips().calls(),
                result.roundTrips().batchGetMillis(), result.roundTrips().transactWriteMillis()));
        if (result.calibration() != null) {
            details.add(result.calibration());
        }
        return built;
    }

    /** template.yaml's environment with private networks allowed (the receivers are on loopback). */
    private Map<String, String> deployedEnvironmentWithAllowedPrivateNetworks(Map<String, String> resources) {
        Map<String, String> locals = new LinkedHashMap<>(resources);
        locals.put("AllowPrivateNetworks", "true");
        locals.put("Timeout", templateDefault("Timeout"));
        return deployedEnvironment(locals);
    }

    static void check(String response, LoopbackReceivers receivers, long deliveries, String what) {
        if (!response.equals(NO_FAILURES)) {
            throw new IllegalStateException(what + ": the function reported failures: "
                    + (response.length() > 300 ? response.substring(0, 300) + "..." : response));
        }
        if (receivers.requests() != deliveries) {
            throw new IllegalStateException(what + ": receivers got " + receivers.requests() + " requests, expected "
                    + deliveries);
        }
        if (receivers.unsigned() > 0) {
            throw new IllegalStateException(what + ": " + receivers.unsigned() + " requests had no webhook-signature");
        }
    }

    /**
     * B, the most webhook requests the function keeps in flight at its default configuration with {@code m}
     * subscribers, derived from the defaults declared in the configuration interfaces (so this stays true when they
     * change).
     */
    record Bound(int total, int conversations, String explain) {

        static Bound atDefaults(int m) {
            int conversations = defaultOf(StreamConfig.class, "maxConcurrentConversations").orElseThrow();
            int perHost = defaultOf(DeliveryConfig.class, "maxConnectionsPerHost").orElseThrow();
            Optional<Integer> inFlight = defaultOf(DeliveryConfig.class, "maxInFlight");
            int total = Math.min(conversations * m, perHost * m);
            String explain = String.format(Locale.ROOT, "min(%d conversations x %d subscribers, %d subscribers x %d "
                    + "connections per host", conversations, m, m, perHost);
            if (inFlight.isPresent()) {
                total = Math.min(total, inFlight.get());
                explain += ", max-in-flight " + inFlight.get();
            }
            return new Bound(total, conversations, explain + ") = " + total);
        }

        private static Optional<Integer> defaultOf(Class<?> config, String property) {
            try {
                Method method = config.getMethod(property);
                WithDefault value = method.getAnnotation(WithDefault.class);
                return Optional.ofNullable(value).map(v -> Integer.parseInt(v.value()));
            } catch (NoSuchMethodException e) {
                return Optional.empty();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // CPU per delivery (JMH)

    private void cpuPerDelivery() throws RunnerException {
        List<String> deployed = new ArrayList<>(LAMBDA_512_JVM);
        deployed.addAll(List.of(javaToolOptions.split("\\s+")).stream().filter(option -> !option.isBlank()).toList());
        String load = Machine.load();
        measuring();
        RunResult asDeployed = jmh("perDelivery", deployed, work.resolve("jmh-deployed.log"));
        double score = asDeployed.getPrimaryResult().getScore();
        double error = asDeployed.getPrimaryResult().getScoreError();
        rows.add(new Row("CPU per (record x subscriber): read + decode + detect + serialise + sign + dispatch "
                + "(JMH, JVM flags as deployed: C1 only)", micros(score, error), "<= 20 us", verdict(score <= 20_000),
                machine(load)));
        load = Machine.load();
        measuring();
        RunResult c2 = jmh("perDelivery", LAMBDA_512_JVM, work.resolve("jmh-c2.log"));
        double c2Score = c2.getPrimaryResult().getScore();
        rows.add(new Row("CPU per (record x subscriber), same benchmark with C2 (JAVA_TOOL_OPTIONS unset)",
                micros(c2Score, c2.getPrimaryResult().getScoreError()), "<= 20 us", verdict(c2Score <= 20_000),
                machine(load)));
        for (String stage : List.of("stageDecode", "stageDetect", "stageSerialise", "stageWebhookId", "stageSign")) {
            RunResult result = jmh(stage, deployed, work.resolve("jmh-" + stage + ".log"));
            details.add(String.format(Locale.ROOT, "JMH %s (as deployed, %s): %s", stage,
                    stage.equals("stageSign") || stage.equals("stageWebhookId") ? "per delivery" : "per record",
                    micros(result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError())));
        }
    }

    private RunResult jmh(String benchmark, List<String> jvmArgs, Path log) throws RunnerException {
        progress("JMH %s with %s (output in %s)", benchmark, jvmArgs, log);
        // The whole path gets more iterations than its stages: with C2 on two vCPUs it settles only after about ten
        // seconds, and an early figure is the compiler's, not the code's.
        boolean whole = benchmark.equals("perDelivery");
        int iterations = settings.quickJmh() ? 2 : whole ? 8 : 5;
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(DeliveryCpuBenchmark.class.getName() + "\\." + benchmark + "$")
                .forks(1)
                .warmupIterations(settings.quickJmh() ? 2 : whole ? 12 : 8).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(settings.quickJmh() ? 1 : 2))
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .output(log.toString())
                .build()).run();
        return results.iterator().next();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Start-up and memory

    private void startUp() throws IOException {
        ConversationBatch batch = ConversationBatch.generate(1, 1, ConversationBatch.Items.REALISTIC, 7);
        try (LoopbackReceivers receivers = LoopbackReceivers.start(1, Duration.ZERO, 1)) {
            measuring();
            List<Long> times = startUps("startup", settings.startups(), batch, receivers,
                    withToolOptions(subscriptions(receivers.urls())));
            long median = median(times);
            rows.add(new Row("Start-up: process start to the first batch's response (1 record, 1 subscriber answering at "
                    + "once, subscriptions from configuration; median of " + times.size() + ")", millis(median),
                    startUpTarget(), verdict(median <= startUpTargetMillis()), machine(lastLoad)));
            details.add("start-up runs, subscriptions from configuration (ms), " + pass.label + ": " + times);
            startUpWithTable(batch, receivers);
        }
    }

    /**
     * As deployed: the function gets the environment template.yaml gives it ({@link #deployedEnvironment}), so the
     * first batch also builds the DynamoDB and SQS clients, scans the subscriptions table and reads the delivery
     * ledger, against a local emulator (moto_server, or LocalStack where Docker runs) when one can be started; skipped
     * otherwise.
     */
    private void startUpWithTable(ConversationBatch batch, LoopbackReceivers receivers) throws IOException {
        DynamoDbEmulator emulator;
        try {
            emulator = DynamoDbEmulator.start();
        } catch (RuntimeException e) {
            progress("start-up as deployed skipped: %s", e.getMessage());
            rows.add(new Row("Start-up as deployed (subscriptions table, delivery ledger, retry queue)", "skipped",
                    "<= 1.5 s", "", "no moto_server or Docker: " + e.getMessage()));
            return;
        }
        try (emulator; DynamoDbClient dynamoDb = emulator.dynamoDb(); SqsClient sqs = emulator.sqs()) {
            String suffix = Long.toString(System.nanoTime());
            String subscriptions = "subscriptions-bench-" + suffix;
            TemplateTables.create(dynamoDb, "SubscriptionsTable", subscriptions);
            String queueUrl = TemplateTables.createQueue(sqs, "DeliveryRetryQueue", "retry-bench-" + suffix + ".fifo");
            dynamoDb.putItem(put -> put.tableName(subscriptions).item(Map.of("id", AttributeValue.fromS("bench-0"),
                    "url", AttributeValue.fromS(receivers.urls().get(0)),
                    "secret", AttributeValue.fromS("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))));
            measuring();
            // The ledger would skip the batch's deliveries in every run after the first: each run gets its own.
            List<Long> times = new ArrayList<>();
            for (int run = 1; run <= settings.startups(); run++) {
                String deliveries = "deliveries-bench-" + suffix + "-" + run;
                TemplateTables.create(dynamoDb, "DeliveriesTable", deliveries);
                Map<String, String> env = deployedEnvironment(Map.of(
                        "SubscriptionsTable", subscriptions,
                        "DeliveriesTable", deliveries,
                        "DeliveryRetryQueue", queueUrl,
                        "AllowPrivateNetworks", "true",
                        "Timeout", templateDefault("Timeout")));
                env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", emulator.endpoint().toString());
                env.put("WEBHOOKS_RETRY_SQS_ENDPOINT_OVERRIDE", emulator.endpoint().toString());
                if (run == 1) {
                    progress("start-up as deployed, with template.yaml's variables %s", env.keySet());
                }
                times.addAll(startUps("startup-deployed-" + run, 1, batch, receivers, env));
            }
            long median = median(times);
            rows.add(new Row("Start-up as deployed: the environment template.yaml gives the function (subscriptions "
                    + "table, delivery ledger, retry queue; " + emulator.name() + " on loopback), otherwise as above; "
                    + "median of " + times.size(), millis(median), startUpTarget(), verdict(median <= startUpTargetMillis()),
                    machine(lastLoad)));
            details.add("start-up runs as deployed: subscriptions table, ledger and retry queue (ms), " + pass.label
                    + ": " + times);
        }
    }

    /**
     * The function's environment as template.yaml sets it ({@code ConversationWebhooksFunction}'s
     * {@code Environment.Variables}, JVM branch of {@code JAVA_TOOL_OPTIONS}), each {@code Ref} and {@code Fn::Sub}
     * replaced by the local value of the resource or parameter it names.
     *
     * @param locals local value of each resource or parameter the variables refer to
     * @throws IllegalStateException when template.yaml sets a variable whose value this harness cannot reproduce, so
     *         that a new deployed setting cannot be left out of the measurement silently
     */
    private Map<String, String> deployedEnvironment(Map<String, String> locals) {
        JsonNode variables = TemplateTables.template().path("Resources").path("ConversationWebhooksFunction")
                .path("Properties").path("Environment").path("Variables");
        Map<String, String> env = new LinkedHashMap<>();
        variables.fields().forEachRemaining(variable -> {
            String name = variable.getKey();
            JsonNode value = variable.getValue();
            if (name.equals("JAVA_TOOL_OPTIONS")) {
                env.put(name, javaToolOptions);
            } else if (value.isTextual()) {
                env.put(name, value.asText());
            } else if (value.has("Ref") && locals.containsKey(value.path("Ref").asText())) {
                env.put(name, locals.get(value.path("Ref").asText()));
            } else if (value.has("Ref") && isParameter(value.path("Ref").asText())) {
                env.put(name, templateDefault(value.path("Ref").asText()));
            } else if (isUnsetOptional(value)) {
                return;
            } else if (value.path("Fn::Sub").isTextual()) {
                String text = value.path("Fn::Sub").asText();
                for (Map.Entry<String, String> local : locals.entrySet()) {
                    text = text.replace("${" + local.getKey() + "}", local.getValue());
                }
                if (text.contains("${")) {
                    throw new IllegalStateException("template.yaml: no local value for " + name + " = " + value);
                }
                env.put(name, text);
            } else {
                throw new IllegalStateException("template.yaml: no local value for " + name + " = " + value);
            }
        });
        return env;
    }

    /** Whether template.yaml declares the parameter (its default then stands for it, as in a deployment without it). */
    private static boolean isParameter(String name) {
        return TemplateTables.template().path("Parameters").has(name);
    }

    /**
     * {@code Fn::If [Has<Parameter>, {Ref: <Parameter>}, {Ref: AWS::NoValue}]} whose parameter keeps its default of
     * empty: the variable is not set, as in a deployment that leaves the parameter out.
     */
    private static boolean isUnsetOptional(JsonNode value) {
        JsonNode branches = value.path("Fn::If");
        if (!branches.isArray() || branches.size() != 3 || !"AWS::NoValue".equals(branches.path(2).path("Ref").asText())) {
            return false;
        }
        String parameter = branches.path(1).path("Ref").asText();
        return isParameter(parameter) && templateDefault(parameter).isEmpty()
                && branches.path(0).asText().equals("Has" + parameter.replaceAll("Arn$", ""));
    }

    /** The default of a template.yaml parameter. */
    private static String templateDefault(String parameter) {
        return TemplateTables.template().path("Parameters").path(parameter).path("Default").asText();
    }

    private String lastLoad = "?";

    private List<Long> startUps(String name, int count, ConversationBatch batch, LoopbackReceivers receivers,
            Map<String, String> env) throws IOException {
        List<Long> times = new ArrayList<>();
        for (int run = 0; run < count; run++) {
            receivers.reset();
            lastLoad = Machine.load();
            String label = name + "-" + (run + 1);
            try (PackagedFunction fn = launch(label, env)) {
                String response = fn.invoke(batch.event(), INVOKE_TIMEOUT);
                times.add(fn.millisSinceStart());
                check(response, receivers, batch.deliveries(1), label);
                progress("%s: %,d ms [load %s]; Quarkus says: %s", label, times.get(run), lastLoad,
                        fn.logLines("started in").stream().findFirst().orElse("?"));
            }
        }
        return times;
    }

    /**
     * Resident memory after a big batch. Lambda hands a function at most 6 MB per invocation, so 10,000 records only
     * arrive with the smallest items ({@link ConversationBatch.Items#MINIMAL}); with realistic items the heaviest
     * batch Lambda can deliver has far fewer records, and is measured too.
     */
    private void memory() throws IOException {
        int m = settings.memorySubscribers();
        memory(ConversationBatch.generate(settings.memoryRecords(), Math.max(1, settings.memoryRecords() / 5),
                ConversationBatch.Items.MINIMAL, 11), m, "minimal items: id and status");
        ConversationBatch probe = ConversationBatch.generate(1000, 200, ConversationBatch.Items.REALISTIC, 11);
        double bytesPerRecord = probe.event().getBytes(StandardCharsets.UTF_8).length / (double) probe.records();
        int fitting = (int) (LAMBDA_PAYLOAD_BYTES / bytesPerRecord) / 5 * 5 - 5;
        memory(ConversationBatch.generate(fitting, fitting / 5, ConversationBatch.Items.REALISTIC, 11), m,
                "realistic items, the most that fit in 6 MB");
    }

    /**
     * Diagnosis, when native memory tracking is on: writes the native memory summary, the heap layout, the live-object
     * histogram (which forces a full GC) and the heap layout after it.
     */
    private static void nativeMemory(long pid, Path out) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Files.deleteIfExists(out);
            for (String command : List.of("VM.native_memory summary", "GC.heap_info", "GC.class_histogram",
                    "GC.heap_info")) {
                List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
                args.addAll(List.of(command.split(" ")));
                Process process = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
                if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            progress("native memory summary, heap and histogram in %s", out);
        } catch (IOException e) {
            progress("jcmd failed: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void memory(ConversationBatch batch, int m, String items) throws IOException {
        String event = batch.event();
        int eventBytes = event.getBytes(StandardCharsets.UTF_8).length;
        if (eventBytes > LAMBDA_PAYLOAD_BYTES) {
            progress("note: this event (%,d bytes) is larger than Lambda's 6 MB invocation payload", eventBytes);
        }
        long deliveries = batch.deliveries(m);
        String run = "memory-" + batch.records();
        try (LoopbackReceivers receivers = LoopbackReceivers.start(m, Duration.ofMillis(settings.latencyMillis()), 2);
                PackagedFunction fn = launch(run, withToolOptions(subscriptions(receivers.urls())))) {
            String load = Machine.load();
            measuring();
            long started = System.nanoTime();
            String response = fn.invoke(event, INVOKE_TIMEOUT);
            long wall = (System.nanoTime() - started) / 1_000_000;
            check(response, receivers, deliveries, "memory " + batch.records());
            ProcessStats stats = ProcessStats.of(fn.pid());
            if (pass != Pass.NATIVE
                    && functionJvm.stream().anyMatch(option -> option.startsWith("-XX:NativeMemoryTracking="))) {
                nativeMemory(fn.pid(), work.resolve(run + "-nmt.txt"));
            }
            progress("memory (%,d records, %s, event %,d bytes): %,d deliveries in %,d ms; RSS %,d KiB, peak %,d KiB, "
                    + "%d threads, %d open files", batch.records(), items, eventBytes, deliveries, wall,
                    stats.residentKiB(), stats.peakResidentKiB(), stats.threads(), stats.openFiles());
            double mb = stats.residentKiB() / 1024.0;
            rows.add(new Row(String.format(Locale.ROOT, "Resident memory after a %,d-record batch x %d subscribers (%s;"
                    + " event %.1f MB; %,d deliveries in %,d ms; peak %.0f MB)", batch.records(), m, items,
                    eventBytes / 1e6, deliveries, wall, stats.peakResidentKiB() / 1024.0),
                    String.format(Locale.ROOT, "%.0f MB", mb), "<= " + memoryTargetMb() + " MB",
                    verdict(mb <= memoryTargetMb()), machine(load)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    /** Issue 5's start-up target for the JVM, issue 9's for the native binary. */
    private long startUpTargetMillis() {
        return pass == Pass.NATIVE ? 200 : 1500;
    }

    private String startUpTarget() {
        return pass == Pass.NATIVE ? "<= 200 ms" : "<= 1.5 s";
    }

    /** Issue 5's resident-memory target for the JVM, issue 9's for the native binary. */
    private int memoryTargetMb() {
        return pass == Pass.NATIVE ? 128 : 256;
    }

    /** Configured subscriptions (no table), all events, all mailboxes, one per URL; private networks allowed. */
    static Map<String, String> subscriptions(List<String> urls) {
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < urls.size(); i++) {
            env.put("WEBHOOKS_SUBSCRIPTIONS_" + i + "__ID", "bench-" + i);
            env.put("WEBHOOKS_SUBSCRIPTIONS_" + i + "__URL", urls.get(i));
            env.put("WEBHOOKS_SUBSCRIPTIONS_" + i + "__SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        }
        env.put("WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS", "true");
        return env;
    }

    /** The function's JVM options for one run; {@code {run}} in extra options (e.g. a JFR file name) names the run. */
    private List<String> jvm(String run) {
        return functionJvm.stream().map(option -> option.replace("{run}", run)).toList();
    }

    private Map<String, String> withToolOptions(Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("JAVA_TOOL_OPTIONS", javaToolOptions);
        return all;
    }

    /** JAVA_TOOL_OPTIONS of the JVM packaging in template.yaml (the non-native branch of its Fn::If). */
    private static String templateJavaToolOptions() {
        JsonNode value = TemplateTables.template().path("Resources").path("ConversationWebhooksFunction")
                .path("Properties").path("Environment").path("Variables").path("JAVA_TOOL_OPTIONS");
        JsonNode jvmBranch = value.path("Fn::If").path(2);
        if (!jvmBranch.isTextual()) {
            throw new IllegalStateException("template.yaml: JAVA_TOOL_OPTIONS is not Fn::If [IsNative, ..., <jvm options>]");
        }
        return jvmBranch.asText();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String millis(double millis) {
        return millis >= 10_000 ? String.format(Locale.ROOT, "%,.1f s", millis / 1000)
                : String.format(Locale.ROOT, "%,.0f ms", millis);
    }

    private static String micros(double nanos, double errorNanos) {
        return String.format(Locale.ROOT, "%.2f ± %.2f us", nanos / 1000, errorNanos / 1000);
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    /**
     * The machine column: CPU model and cores, the load average when the figure was taken, and the CPU seconds other
     * processes used while it was measured ({@link Machine.Others}, since the last {@link #measuring()}).
     */
    private String machine(String load) {
        int comma = machine.indexOf(',');
        return String.format(Locale.ROOT, "%s x%d, load %s, others %.1f CPU-s",
                comma < 0 ? machine : machine.substring(0, comma), Runtime.getRuntime().availableProcessors(), load,
                others.cpuSeconds());
    }

    /** Marks the start of a measurement, for the machine column. */
    private void measuring() {
        others = Machine.Others.start();
    }

    private static void progress(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }

    private void print() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("Machine: " + machine + " (load = 1-minute load average when the figure was taken; others = CPU seconds"
                + " used by other processes while it was measured)");
        lines.add("Function: target/function.zip under AWS's Runtime Interface Client, " + String.join(" ", functionJvm)
                + ", JAVA_TOOL_OPTIONS=" + javaToolOptions);
        settings.nativeZip().ifPresent(zip -> lines.add("Native: " + zip + " (bootstrap " + String.join(" ",
                LAMBDA_512_NATIVE) + ")"));
        lines.add("");
        String[] header = { "Figure", "Measured", "Target", "Result", "Machine" };
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
        }
        for (Row row : rows) {
            String[] cells = { row.figure(), row.measured(), row.target(), row.verdict(), row.machine() };
            for (int i = 0; i < cells.length; i++) {
                widths[i] = Math.max(widths[i], cells[i].length());
            }
        }
        lines.add(line(header, widths));
        String[] rule = new String[header.length];
        for (int i = 0; i < rule.length; i++) {
            rule[i] = "-".repeat(widths[i]);
        }
        lines.add(line(rule, widths));
        for (Row row : rows) {
            lines.add(line(new String[] { row.figure(), row.measured(), row.target(), row.verdict(), row.machine() },
                    widths));
        }
        lines.add("");
        details.forEach(detail -> lines.add("- " + detail));
        String text = String.join(System.lineSeparator(), lines);
        Files.writeString(work.resolve("results.md"), text + System.lineSeparator(), StandardCharsets.UTF_8);
        System.out.println(text);
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            line.append(' ').append(cells[i]).append(" ".repeat(widths[i] - cells[i].length())).append(" |");
        }
        return line.toString();
    }
}
