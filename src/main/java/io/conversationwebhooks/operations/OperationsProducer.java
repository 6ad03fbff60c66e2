package io.conversationwebhooks.operations;

import java.time.Clock;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import io.conversationwebhooks.config.OperationsConfig;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.SnsClientBuilder;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;

/**
 * The {@link OperationsReport} both functions use, as configured ({@link OperationsConfig}): EMF lines on stdout
 * (the library's {@code LambdaEnvironment}, which also adds the function version, log stream and X-Ray trace id as
 * properties where Lambda sets them), and, when {@code WEBHOOKS_EVENTS_TOPIC_ARN} is set, SNS events. The SNS client
 * is built like the retry queue's SQS client: the DynamoDB client's region and credentials, url-connection HTTP client,
 * {@code webhooks.events.sns-endpoint-override} or the SDK's {@code AWS_ENDPOINT_URL_SNS}, and call timeouts.
 */
@ApplicationScoped
public class OperationsProducer {

    private SnsClient sns;

    @Produces
    @ApplicationScoped
    OperationsReport operationsReport(OperationsConfig config, Instance<DynamoDbClient> dynamoDb) {
        EmfMetrics metrics = new EmfMetrics(new LambdaEnvironment(), config.metrics().namespace(),
                config.metrics().perSubscription());
        OperationalEvents events = OperationalEvents.NONE;
        if (config.events().topicArn().isPresent()) {
            sns = snsClient(config.events(), dynamoDb.get());
            events = new SnsOperationalEvents(sns, config.events().topicArn().get());
        }
        return new CloudWatchOperationsReport(metrics, events, Clock.systemUTC());
    }

    @PreDestroy
    void close() {
        if (sns != null) {
            sns.close();
        }
    }

    private static SnsClient snsClient(OperationsConfig.Events config, DynamoDbClient dynamoDb) {
        DynamoDbServiceClientConfiguration aws = dynamoDb.serviceClientConfiguration();
        SnsClientBuilder builder = SnsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(aws.region()).credentialsProvider(aws.credentialsProvider())
                .overrideConfiguration(c -> c.apiCallTimeout(config.snsApiCallTimeout())
                        .apiCallAttemptTimeout(config.snsApiCallAttemptTimeout()));
        config.snsEndpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
