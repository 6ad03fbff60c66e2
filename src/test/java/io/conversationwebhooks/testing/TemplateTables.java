package io.conversationwebhooks.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates DynamoDB tables exactly as {@code template.yaml} declares them (key schema with partition and sort key,
 * attribute definitions, billing mode, stream view type, global secondary indexes, time to live), and SQS queues with
 * their template attributes (FIFO, visibility timeout, retention, redrive policy to their dead-letter queue), so tests
 * run against the deployed shape.
 */
public final class TemplateTables {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TemplateTables() {
    }

    /** The parsed {@code template.yaml}. */
    public static JsonNode template() {
        try {
            return YAML.readTree(Path.of("template.yaml").toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template.yaml", e);
        }
    }

    /**
     * Creates the table of the template resource {@code logicalId} under {@code tableName}.
     *
     * @return the latest stream ARN, or null when the table has no stream
     */
    public static String create(DynamoDbClient dynamoDb, String logicalId, String tableName) {
        JsonNode properties = template().path("Resources").path(logicalId).path("Properties");
        if (properties.isMissingNode()) {
            throw new IllegalArgumentException("template.yaml has no resource " + logicalId);
        }
        List<KeySchemaElement> keys = keySchema(properties.path("KeySchema"));
        List<AttributeDefinition> attributes = new ArrayList<>();
        properties.path("AttributeDefinitions").forEach(attribute -> attributes.add(AttributeDefinition.builder()
                .attributeName(attribute.path("AttributeName").asText())
                .attributeType(attribute.path("AttributeType").asText()).build()));
        CreateTableRequest.Builder request = CreateTableRequest.builder().tableName(tableName).keySchema(keys)
                .attributeDefinitions(attributes)
                .billingMode(BillingMode.fromValue(properties.path("BillingMode").asText("PAY_PER_REQUEST")));
        JsonNode stream = properties.path("StreamSpecification").path("StreamViewType");
        if (!stream.isMissingNode()) {
            request.streamSpecification(StreamSpecification.builder().streamEnabled(true).streamViewType(stream.asText()).build());
        }
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        properties.path("GlobalSecondaryIndexes").forEach(index -> indexes.add(GlobalSecondaryIndex.builder()
                .indexName(index.path("IndexName").asText())
                .keySchema(keySchema(index.path("KeySchema")))
                .projection(Projection.builder().projectionType(index.path("Projection").path("ProjectionType").asText()).build())
                .build()));
        if (!indexes.isEmpty()) {
            request.globalSecondaryIndexes(indexes);
        }
        String streamArn = dynamoDb.createTable(request.build()).tableDescription().latestStreamArn();
        JsonNode ttl = properties.path("TimeToLiveSpecification");
        if (ttl.path("Enabled").asBoolean(false)) {
            dynamoDb.updateTimeToLive(b -> b.tableName(tableName).timeToLiveSpecification(spec -> spec.enabled(true)
                    .attributeName(ttl.path("AttributeName").asText())));
        }
        return streamArn;
    }

    /**
     * Creates the queue of the template resource {@code logicalId} under {@code queueName} (which must end with
     * {@code .fifo} for a FIFO queue). A redrive policy's dead-letter queue (another template resource) is created
     * first, as {@code <queueName without .fifo>-dlq[.fifo]}.
     *
     * @return the queue URL
     */
    public static String createQueue(SqsClient sqs, String logicalId, String queueName) {
        JsonNode properties = template().path("Resources").path(logicalId).path("Properties");
        if (properties.isMissingNode()) {
            throw new IllegalArgumentException("template.yaml has no resource " + logicalId);
        }
        Map<QueueAttributeName, String> attributes = new HashMap<>();
        copy(properties, "FifoQueue", QueueAttributeName.FIFO_QUEUE, attributes);
        copy(properties, "ContentBasedDeduplication", QueueAttributeName.CONTENT_BASED_DEDUPLICATION, attributes);
        copy(properties, "VisibilityTimeout", QueueAttributeName.VISIBILITY_TIMEOUT, attributes);
        copy(properties, "MessageRetentionPeriod", QueueAttributeName.MESSAGE_RETENTION_PERIOD, attributes);
        copy(properties, "DelaySeconds", QueueAttributeName.DELAY_SECONDS, attributes);
        JsonNode redrive = properties.path("RedrivePolicy");
        if (!redrive.isMissingNode()) {
            String deadLetterId = redrive.path("deadLetterTargetArn").path("Fn::GetAtt").get(0).asText();
            boolean fifo = queueName.endsWith(".fifo");
            String base = fifo ? queueName.substring(0, queueName.length() - ".fifo".length()) : queueName;
            String deadLetterUrl = createQueue(sqs, deadLetterId, base + "-dlq" + (fifo ? ".fifo" : ""));
            String deadLetterArn = sqs.getQueueAttributes(b -> b.queueUrl(deadLetterUrl)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + deadLetterArn
                    + "\",\"maxReceiveCount\":" + redrive.path("maxReceiveCount").asInt() + "}");
        }
        return sqs.createQueue(b -> b.queueName(queueName).attributes(attributes)).queueUrl();
    }

    private static void copy(JsonNode properties, String property, QueueAttributeName attribute,
            Map<QueueAttributeName, String> attributes) {
        JsonNode value = properties.path(property);
        if (!value.isMissingNode()) {
            attributes.put(attribute, value.asText());
        }
    }

    private static List<KeySchemaElement> keySchema(JsonNode schema) {
        List<KeySchemaElement> keys = new ArrayList<>();
        schema.forEach(key -> keys.add(KeySchemaElement.builder()
                .attributeName(key.path("AttributeName").asText()).keyType(key.path("KeyType").asText()).build()));
        return keys;
    }
}
