package io.conversationwebhooks.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A real DynamoDB API with DynamoDB Streams (and SQS) on this machine: LocalStack through Testcontainers where a Docker engine
 * runs, otherwise {@code moto_server} started on a free loopback port. {@code -Dwebhooks.test.emulator=moto} or
 * {@code =localstack} forces one.
 */
public abstract class DynamoDbEmulator implements AutoCloseable {

    /** Region and credentials the emulators accept. */
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "test";
    public static final String SECRET_KEY = "test";

    /** The DynamoDB (and Streams) endpoint. */
    public abstract URI endpoint();

    /** Which emulator this is, for logs. */
    public abstract String name();

    @Override
    public abstract void close();

    /** Starts the emulator this machine can run. */
    public static DynamoDbEmulator start() {
        String forced = System.getProperty("webhooks.test.emulator", "");
        boolean docker = !forced.equals("moto") && (forced.equals("localstack") || dockerAvailable());
        return docker ? LocalStack.startLocalStack() : Moto.startMoto();
    }

    private static boolean dockerAvailable() {
        boolean configured = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
        if (!configured) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** A DynamoDB client for the emulator. */
    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** An SQS client for the emulator. */
    public SqsClient sqs() {
        return SqsClient.builder().endpointOverride(endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** An SNS client for the emulator. */
    public software.amazon.awssdk.services.sns.SnsClient sns() {
        return software.amazon.awssdk.services.sns.SnsClient.builder().endpointOverride(endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** A DynamoDB Streams client for the emulator. */
    public DynamoDbStreamsClient streams() {
        return DynamoDbStreamsClient.builder().endpointOverride(endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * {@code moto_server} (DynamoDB and DynamoDB Streams), a child process on a free loopback port.
     *
     * <p>By default it runs through {@code moto_launcher.py} (a test resource), which replaces moto's
     * TransactWriteItems, whose cost grows with the size of every table the transaction names (moto copies them whole
     * to undo a cancellation), with one that keeps an undo log of the items it touches, so that benchmarks writing
     * thousands of ledger items measure the function and not moto. Where the installed moto is not the one the
     * replacement was written for, the launcher prints a warning to the moto log and runs moto unchanged; where no
     * Python can run the launcher, the plain {@code moto_server} command runs. The Python is
     * {@code -Dwebhooks.test.python}, else the interpreter named in the {@code moto_server} script's {@code #!} line,
     * else {@code python3}.
     */
    static final class Moto extends DynamoDbEmulator {
        /** The line {@code moto_launcher.py} writes to the moto log when it runs moto unchanged. */
        static final String UNPATCHED_WARNING = "moto_launcher: WARNING";

        private static final System.Logger LOG = System.getLogger(DynamoDbEmulator.class.getName());

        private final Process process;
        private final URI endpoint;
        private final Path log;

        private Moto(Process process, URI endpoint, Path log) {
            this.process = process;
            this.endpoint = endpoint;
            this.log = log;
        }

        static Moto startMoto() {
            return startMoto(true);
        }

        /**
         * @param fastTransactions whether to run moto through {@code moto_launcher.py} (see the type's Javadoc) rather
         *        than the {@code moto_server} command as installed
         */
        static Moto startMoto(boolean fastTransactions) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free port", e);
            }
            List<String> address = List.of("-H", "127.0.0.1", "-p", Integer.toString(port));
            Path log = Path.of("target", "moto-" + port + ".log");
            Process process = null;
            try {
                Files.createDirectories(Path.of("target"));
                if (fastTransactions) {
                    List<String> command = new ArrayList<>(python());
                    try {
                        command.add(Launcher.script().toString());
                        command.addAll(address);
                        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                    } catch (IOException noLauncher) {
                        LOG.log(System.Logger.Level.WARNING, "cannot run moto_launcher.py with " + command.get(0)
                                + " (" + noLauncher.getMessage() + "); running moto_server unpatched");
                    }
                }
                if (process == null) {
                    List<String> command = new ArrayList<>(List.of("moto_server"));
                    command.addAll(address);
                    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot start moto_server (is it installed? pip install 'moto[server]')", e);
            }
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            Instant giveUp = Instant.now().plus(Duration.ofSeconds(60));
            while (Instant.now().isBefore(giveUp)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("moto_server exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
                    connection.setConnectTimeout(500);
                    connection.setReadTimeout(2000);
                    if (connection.getResponseCode() > 0) {
                        connection.disconnect();
                        Moto moto = new Moto(process, endpoint, log);
                        if (fastTransactions && !moto.fastTransactions()) {
                            LOG.log(System.Logger.Level.WARNING, "moto runs with its own TransactWriteItems, which copies "
                                    + "every table it names; see " + log);
                        }
                        return moto;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            process.destroyForcibly();
            throw new IllegalStateException("moto_server did not answer within 60 s; see " + log);
        }

        /** Whether this moto runs the launcher's TransactWriteItems (its log has no warning from the launcher). */
        boolean fastTransactions() {
            try {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                return text.contains(Launcher.INSTALLED) && !text.contains(UNPATCHED_WARNING);
            } catch (IOException e) {
                return false;
            }
        }

        /** The command that runs a Python with moto: see the type's Javadoc. */
        private static List<String> python() {
            String configured = System.getProperty("webhooks.test.python", "");
            if (!configured.isBlank()) {
                return List.of(configured);
            }
            for (String directory : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path script = Path.of(directory.isEmpty() ? "." : directory, "moto_server");
                if (Files.isRegularFile(script)) {
                    try (java.io.BufferedReader reader = Files.newBufferedReader(script, StandardCharsets.ISO_8859_1)) {
                        String first = reader.readLine();
                        if (first != null && first.startsWith("#!") && first.contains("python")) {
                            return List.of(first.substring(2).trim().split("\\s+"));
                        }
                    } catch (IOException unreadable) {
                        // fall back to python3
                    }
                    break;
                }
            }
            return List.of("python3");
        }

        /** {@code moto_launcher.py}, copied from the test classpath to a file once per JVM. */
        private static final class Launcher {
            static final String INSTALLED = "moto_launcher: TransactWriteItems keeps an undo log";
            private static Path script;

            static synchronized Path script() throws IOException {
                if (script == null) {
                    try (java.io.InputStream in = DynamoDbEmulator.class.getResourceAsStream("moto_launcher.py")) {
                        if (in == null) {
                            throw new IOException("moto_launcher.py is not on the test classpath");
                        }
                        Path file = Files.createTempFile("moto_launcher", ".py");
                        file.toFile().deleteOnExit();
                        Files.write(file, in.readAllBytes());
                        script = file;
                    }
                }
                return script;
            }
        }

        @Override
        public URI endpoint() {
            return endpoint;
        }

        @Override
        public String name() {
            return "moto_server";
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** LocalStack in a container (Testcontainers), for machines with a Docker engine. */
    static final class LocalStack extends DynamoDbEmulator {
        private final LocalStackContainer container;

        private LocalStack(LocalStackContainer container) {
            this.container = container;
        }

        static LocalStack startLocalStack() {
            LocalStackContainer container = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
                    .withServices("dynamodb", "dynamodbstreams", "sqs");
            container.start();
            return new LocalStack(container);
        }

        @Override
        public URI endpoint() {
            return container.getEndpoint();
        }

        @Override
        public String name() {
            return "LocalStack";
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
