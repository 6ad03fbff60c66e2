package io.conversationwebhooks.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;

/**
 * Creates DynamoDB tables exactly as {@code template.yaml} declares them (key schema, attribute definitions, billing
 * mode, stream view type), so tests run against the deployed shape.
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
        List<KeySchemaElement> keys = new ArrayList<>();
        properties.path("KeySchema").forEach(key -> keys.add(KeySchemaElement.builder()
                .attributeName(key.path("AttributeName").asText()).keyType(key.path("KeyType").asText()).build()));
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
        return dynamoDb.createTable(request.build()).tableDescription().latestStreamArn();
    }
}
