package io.conversationwebhooks.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

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

    /** {@code moto_server} (DynamoDB and DynamoDB Streams), a child process on a free loopback port. */
    static final class Moto extends DynamoDbEmulator {
        private final Process process;
        private final URI endpoint;

        private Moto(Process process, URI endpoint) {
            this.process = process;
            this.endpoint = endpoint;
        }

        static Moto startMoto() {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free port", e);
            }
            Path log;
            Process process;
            try {
                Files.createDirectories(Path.of("target"));
                log = Path.of("target", "moto-" + port + ".log");
                process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
                        return new Moto(process, endpoint);
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
