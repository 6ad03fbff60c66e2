package io.conversationwebhooks.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.SmallRyeConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * The DynamoDB client of the command-line tools ({@code ./replay.sh}, {@code ./subscriptions.sh}), built the way the
 * functions' quarkus-amazon-dynamodb client is, without starting Quarkus.
 */
public final class CommandLineDynamoDb {

    private CommandLineDynamoDb() {
    }

    /**
     * Builds the client: {@code quarkus.dynamodb.endpoint-override}, {@code api-call-timeout} and
     * {@code api-call-attempt-timeout} from the configuration ({@link ConfigReader}); region ({@code AWS_REGION}, else
     * {@code AWS_DEFAULT_REGION}) and credentials ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
     * {@code AWS_SESSION_TOKEN}) from the environment given, else the SDK's default chains (e.g. {@code AWS_PROFILE}).
     *
     * @param config the configuration read by {@link ConfigReader#read}
     * @param env the environment
     * @return a client the caller closes
     */
    public static DynamoDbClient build(SmallRyeConfig config, Map<String, String> env) {
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
        config.getOptionalValue("quarkus.dynamodb.endpoint-override", URI.class).ifPresent(builder::endpointOverride);
        Optional<Duration> callTimeout = config.getOptionalValue("quarkus.dynamodb.api-call-timeout", Duration.class);
        Optional<Duration> attemptTimeout = config.getOptionalValue("quarkus.dynamodb.api-call-attempt-timeout",
                Duration.class);
        builder.overrideConfiguration(c -> {
            callTimeout.ifPresent(c::apiCallTimeout);
            attemptTimeout.ifPresent(c::apiCallAttemptTimeout);
        });
        return builder.build();
    }

    private static Optional<String> setting(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(value -> !value.isEmpty());
    }
}
