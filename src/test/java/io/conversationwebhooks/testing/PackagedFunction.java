package io.conversationwebhooks.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.quarkus.amazon.lambda.runtime.MockEventServer;

/**
 * The packaged JVM {@code target/function.zip}, run the way Lambda's managed Java runtime runs it: unzipped, under
 * AWS's Runtime Interface Client with handler {@code io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest},
 * polling a Lambda Runtime API (Quarkus' mock event server on a free loopback port). One child process per instance,
 * like one Lambda execution environment: its first invocation is a cold start, later ones are warm.
 *
 * <p>The Runtime Interface Client jars come from this JVM's class path (they are test dependencies).
 */
public final class PackagedFunction implements AutoCloseable {

    /** The handler the managed runtime is configured with (template.yaml). */
    public static final String HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";

    private static final List<String> RIC_JARS = List.of("aws-lambda-java-runtime-interface-client",
            "aws-lambda-java-serialization", "aws-lambda-java-core", "utils-lite");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final MockEventServer runtimeApi;
    private final Process process;
    private final long startedNanos;
    private final URI invokeUri;
    private final Path log;

    private PackagedFunction(MockEventServer runtimeApi, Process process, long startedNanos, URI invokeUri, Path log) {
        this.runtimeApi = runtimeApi;
        this.process = process;
        this.startedNanos = startedNanos;
        this.invokeUri = invokeUri;
        this.log = log;
    }

    /**
     * Unzips {@code function.zip} into {@code target} (emptied first).
     *
     * @return {@code target}
     */
    public static Path unzip(Path zip, Path target) throws IOException {
        if (Files.exists(target)) {
            try (Stream<Path> paths = Files.walk(target)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        Files.createDirectories(target);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(in, path, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    /**
     * Starts the function: a Runtime API on a free loopback port, then {@code java <jvmOptions> -cp <function>
     * AWSLambda <handler>} with the Lambda environment variables and {@code environment}. Returns as soon as the
     * process is started; the clock of {@link #millisSinceStart()} starts just before it.
     *
     * @param function the unzipped function.zip
     * @param jvmOptions options before the class path (e.g. heap size)
     * @param environment variables added to the Lambda ones ({@code JAVA_TOOL_OPTIONS}, configuration, ...)
     * @param log where the function's output goes
     */
    public static PackagedFunction start(Path function, List<String> jvmOptions, Map<String, String> environment,
            Path log) throws IOException {
        List<String> classpath = new ArrayList<>();
        classpath.add(function.toAbsolutePath().toString());
        classpath.add(function.toAbsolutePath().resolve("lib") + File.separator + "*");
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> RIC_JARS.stream()
                        .anyMatch(name -> Path.of(entry).getFileName().toString().startsWith(name + "-")))
                .forEach(classpath::add);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classpath),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", HANDLER));
        return launch(command, function, environment, log);
    }

    /**
     * Starts the native function the way Lambda's OS-only runtime ({@code provided.al2023}) does: its
     * {@code bootstrap} executable, with the Lambda environment variables and {@code environment}, polling a Runtime
     * API on a free loopback port. Returns as soon as the process is started.
     *
     * @param function the unzipped native function.zip ({@code bootstrap} and {@code lib/})
     * @param options command-line options of the native executable (e.g. {@code -Xmx400m},
     *        {@code -Djavax.net.ssl.trustStore=...}); Lambda passes none
     * @param environment variables added to the Lambda ones
     * @param log where the function's output goes
     */
    public static PackagedFunction startNative(Path function, List<String> options, Map<String, String> environment,
            Path log) throws IOException {
        Path bootstrap = function.toAbsolutePath().resolve("bootstrap");
        if (!bootstrap.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + bootstrap + " executable");
        }
        List<String> command = new ArrayList<>();
        command.add(bootstrap.toString());
        command.addAll(options);
        return launch(command, function, environment, log);
    }

    /**
     * Starts whichever function {@code function} holds: the native {@code bootstrap} when there is one, otherwise
     * the JVM function under the Runtime Interface Client.
     *
     * @param options native executable options, or JVM options (both accept {@code -Xmx} and {@code -D})
     */
    public static PackagedFunction startAny(Path function, List<String> options, Map<String, String> environment,
            Path log) throws IOException {
        return isNative(function) ? startNative(function, options, environment, log)
                : start(function, options, environment, log);
    }

    /** Whether the unzipped function.zip is the native one (it has a {@code bootstrap}). */
    public static boolean isNative(Path function) {
        return Files.isRegularFile(function.resolve("bootstrap"));
    }

    private static PackagedFunction launch(List<String> command, Path workingDirectory, Map<String, String> environment,
            Path log) throws IOException {
        MockEventServer runtimeApi = new MockEventServer();
        runtimeApi.start(0);
        String api = "127.0.0.1:" + runtimeApi.getPort() + MockEventServer.BASE_PATH;
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("AWS_LAMBDA_RUNTIME_API", api);
        env.put("_HANDLER", HANDLER);
        env.put("LAMBDA_TASK_ROOT", workingDirectory.toAbsolutePath().toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "conversation-webhooks-local");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_REGION", DynamoDbEmulator.REGION);
        env.put("AWS_ACCESS_KEY_ID", DynamoDbEmulator.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", DynamoDbEmulator.SECRET_KEY);
        env.putAll(environment);
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            runtimeApi.close();
            throw e;
        }
        return new PackagedFunction(runtimeApi, process, started, URI.create("http://" + api), log);
    }

    /**
     * Invokes the function with the event, as Lambda's event source mapping does, and waits for its response.
     *
     * @return the response JSON
     * @throws IllegalStateException when the Runtime API answers with another status than 200, the process died, or
     *         no response came within {@code timeout}
     */
    public String invoke(String event, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(invokeUri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event, StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("invocation failed: HTTP " + response.statusCode() + " " + response.body()
                        + " (see " + log + ")");
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("invocation failed" + (process.isAlive() ? "" : ": the function exited")
                    + " (see " + log + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Milliseconds since just before the process was started. */
    public long millisSinceStart() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** The function's operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** The function's output (stdout and stderr). */
    public Path log() {
        return log;
    }

    /** Lines of the function's output that contain {@code text}. */
    public List<String> logLines(String text) throws IOException {
        try (InputStream in = Files.newInputStream(log)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> line.contains(text))
                    .toList();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                runtimeApi.close();
            } catch (IOException e) {
                // the Runtime API only serves this process, which is gone
            }
        }
    }
}
