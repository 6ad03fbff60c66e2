package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.conversationwebhooks.config.WebhooksConfig;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.operations.DeliveryCount;
import io.conversationwebhooks.operations.MetricNames;
import io.conversationwebhooks.testing.TemplateTables;
import io.quarkus.funqy.Funq;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

/**
 * The settings of template.yaml that make or break correctness, checked against the code they configure.
 */
class TemplateTest {

    private static final Set<String> NOT_APPLICATION_CONFIG = Set.of(
            "DISABLE_SIGNAL_HANDLERS", // read by the Quarkus native Lambda runtime, not a config key
            "JAVA_TOOL_OPTIONS", // read by the JVM
            "QUARKUS_FUNQY_EXPORT"); // Quarkus' own key: which @Funq the Lambda runs
    /**
     * Messages in flight a FIFO queue allows
     * (<a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html">FIFO queue quotas</a>).
     */
    private static final int FIFO_IN_FLIGHT_QUOTA = 120_000;
    /**
     * Messages at the front of a FIFO queue among which SQS looks for a message group to serve
     * (<a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/avoid-backlog-with-the-same-message-group-id.html">backlogs in one message group</a>).
     */
    private static final int FIFO_SEARCHED_MESSAGES = 120_000;
    private static final List<Class<?>> MAPPINGS = List.of(WebhooksConfig.class);

    private final JsonNode template = TemplateTables.template();
    private final JsonNode resources = template.path("Resources");
    private final JsonNode function = resources.path("ConversationWebhooksFunction").path("Properties");
    private final JsonNode retryFunction = resources.path("DeliveryRetryFunction").path("Properties");

    @Test
    void the_conversations_stream_carries_old_and_new_images() {
        assertEquals("NEW_AND_OLD_IMAGES",
                resources.path("ConversationsTable").path("Properties").path("StreamSpecification").path("StreamViewType").asText());
    }

    @Test
    void tables_have_the_contract_keys() {
        assertEquals("id", key(resources.path("ConversationsTable")).path("AttributeName").asText());
        assertEquals("N", attributeType(resources.path("ConversationsTable"), "id"));
        assertEquals("id", key(resources.path("SubscriptionsTable")).path("AttributeName").asText());
        assertEquals("S", attributeType(resources.path("SubscriptionsTable"), "id"));
    }

    @Test
    void the_stream_event_source_reports_batch_item_failures() {
        JsonNode source = function.path("Events").path("ConversationsStream");
        assertEquals("DynamoDB", source.path("Type").asText());
        List<String> responseTypes = new ArrayList<>();
        source.path("Properties").path("FunctionResponseTypes").forEach(type -> responseTypes.add(type.asText()));
        assertEquals(List.of("ReportBatchItemFailures"), responseTypes);
        assertFalse(source.path("Properties").path("DestinationConfig").path("OnFailure").isMissingNode(),
                "an on-failure destination keeps what Lambda gives up on");
    }

    @Test
    void handler_and_runtime_match_the_build() {
        assertEquals("target/function.zip", function.path("CodeUri").asText());
        JsonNode runtime = function.path("Runtime").path("Fn::If");
        assertEquals("IsNative", runtime.get(0).asText());
        assertEquals("provided.al2023", runtime.get(1).asText());
        assertEquals("java21", runtime.get(2).asText());
        JsonNode handler = function.path("Handler").path("Fn::If");
        assertEquals("io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest", handler.get(2).asText());
        assertEquals("io.quarkus.funqy.lambda.FunqyStreamHandler", loadable(handler.get(2).asText().split("::")[0]));
        assertEquals("true", function.path("Environment").path("Variables").path("DISABLE_SIGNAL_HANDLERS").asText());
    }

    @Test
    void every_environment_variable_is_a_real_configuration_key() {
        Set<String> known = new TreeSet<>();
        for (Class<?> mapping : MAPPINGS) {
            collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, known);
        }
        List<String> unknown = new ArrayList<>();
        for (JsonNode properties : List.of(function, retryFunction)) {
            properties.path("Environment").path("Variables").fieldNames().forEachRemaining(name -> {
                if (!NOT_APPLICATION_CONFIG.contains(name) && !known.contains(name)) {
                    unknown.add(name);
                }
            });
        }
        assertEquals(List.of(), unknown, "known keys: " + known);
        assertTrue(known.contains("WEBHOOKS_SUBSCRIPTIONS_TABLE"), "the contract's name: " + known);
        assertTrue(known.contains("WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS"), "the contract's name: " + known);
        assertTrue(known.contains("WEBHOOKS_DELIVERIES_TABLE"), "the contract's name: " + known);
        assertTrue(known.contains("WEBHOOKS_RETRY_QUEUE_URL"), "the contract's name: " + known);
    }

    @Test
    void both_functions_get_the_ledger_and_the_retry_queue() {
        for (JsonNode properties : List.of(function, retryFunction)) {
            JsonNode variables = properties.path("Environment").path("Variables");
            assertEquals("DeliveriesTable", variables.path("WEBHOOKS_DELIVERIES_TABLE").path("Ref").asText());
            assertEquals("DeliveryRetryQueue", variables.path("WEBHOOKS_RETRY_QUEUE_URL").path("Ref").asText());
            assertEquals("SubscriptionsTable", variables.path("WEBHOOKS_SUBSCRIPTIONS_TABLE").path("Ref").asText());
        }
    }

    @Test
    void both_functions_get_the_allowed_networks_parameter_which_defaults_to_none() {
        for (JsonNode properties : List.of(function, retryFunction)) {
            JsonNode variables = properties.path("Environment").path("Variables");
            assertEquals("AllowedNetworks", variables.path("WEBHOOKS_DELIVERY_ALLOWED_NETWORKS").path("Ref").asText());
        }
        JsonNode parameter = template.path("Parameters").path("AllowedNetworks");
        assertEquals("String", parameter.path("Type").asText());
        assertEquals("", parameter.path("Default").asText());
        assertTrue(parameter.path("Default").isTextual());
    }

    @Test
    void the_retry_function_exports_the_retry_funq_and_reports_batch_item_failures() throws Exception {
        String export = retryFunction.path("Environment").path("Variables").path("QUARKUS_FUNQY_EXPORT").asText();
        Method retry = DeliveryRetryFunction.class.getMethod("retry", io.conversationwebhooks.retry.SqsEvent.class);
        assertEquals(retry.getAnnotation(Funq.class).value(), export);
        assertEquals(function.path("CodeUri").asText(), retryFunction.path("CodeUri").asText(), "the same function.zip");
        JsonNode source = retryFunction.path("Events").path("RetryQueue");
        assertEquals("SQS", source.path("Type").asText());
        assertEquals("DeliveryRetryQueue", source.path("Properties").path("Queue").path("Fn::GetAtt").get(0).asText());
        assertEquals(10, source.path("Properties").path("BatchSize").asInt());
        assertEquals("ReportBatchItemFailures", source.path("Properties").path("FunctionResponseTypes").get(0).asText());
        assertEquals("60s", retryFunction.path("Environment").path("Variables").path("WEBHOOKS_RETRY_FUNCTION_TIMEOUT").asText());
        assertEquals(60, retryFunction.path("Timeout").asInt());
    }

    @Test
    void the_retry_queue_is_fifo_with_a_last_resort_dead_letter_queue() {
        JsonNode queue = resources.path("DeliveryRetryQueue").path("Properties");
        assertTrue(queue.path("FifoQueue").asBoolean());
        assertFalse(queue.path("ContentBasedDeduplication").asBoolean(), "deduplication ids come from the function");
        assertTrue(queue.path("VisibilityTimeout").asInt() >= retryFunction.path("Timeout").asInt(),
                "Lambda requires a visibility timeout of at least the function timeout");
        assertEquals("DeliveryRetryDeadLetterQueue", queue.path("RedrivePolicy").path("deadLetterTargetArn")
                .path("Fn::GetAtt").get(0).asText());
        assertTrue(queue.path("RedrivePolicy").path("maxReceiveCount").asInt() >= 100);
        assertTrue(resources.path("DeliveryRetryDeadLetterQueue").path("Properties").path("FifoQueue").asBoolean(),
                "the dead-letter queue of a FIFO queue must be FIFO");
    }

    @Test
    void the_ledger_has_the_keys_the_code_uses_and_expires_items() {
        JsonNode ledger = resources.path("DeliveriesTable").path("Properties");
        assertEquals("webhookId", ledger.path("KeySchema").get(0).path("AttributeName").asText());
        assertEquals("HASH", ledger.path("KeySchema").get(0).path("KeyType").asText());
        assertEquals("subscriptionId", ledger.path("KeySchema").get(1).path("AttributeName").asText());
        assertEquals("RANGE", ledger.path("KeySchema").get(1).path("KeyType").asText());
        assertEquals("expiresAt", ledger.path("TimeToLiveSpecification").path("AttributeName").asText());
        assertTrue(ledger.path("TimeToLiveSpecification").path("Enabled").asBoolean());
        JsonNode index = ledger.path("GlobalSecondaryIndexes").get(0);
        assertEquals(DeliveryLedger.DEAD_LETTERS_INDEX, index.path("IndexName").asText());
        assertEquals("deadLetterSubscriptionId", index.path("KeySchema").get(0).path("AttributeName").asText());
        assertEquals("deadLetterOrder", index.path("KeySchema").get(1).path("AttributeName").asText());
        assertEquals("ALL", index.path("Projection").path("ProjectionType").asText(), "replay needs the body");
    }

    @Test
    void the_function_timeout_reaches_the_function_as_its_time_budget() {
        assertEquals("${Timeout}s",
                function.path("Environment").path("Variables").path("WEBHOOKS_STREAM_FUNCTION_TIMEOUT").path("Fn::Sub").asText());
        assertEquals("Timeout", function.path("Timeout").path("Ref").asText());
    }

    @Test
    void the_optional_alarms_exist_only_with_a_topic_and_notify_it() {
        // given
        Map<String, JsonNode> alarms = new TreeMap<>();
        resources.fields().forEachRemaining(resource -> {
            if (resource.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.put(resource.getKey(), resource.getValue());
            }
        });

        // then: no alarm unless a topic is given
        assertEquals("", template.path("Parameters").path("AlarmTopicArn").path("Default").asText());
        JsonNode equals = template.path("Conditions").path("HasAlarmTopic").path("Fn::Not").get(0).path("Fn::Equals");
        assertEquals("AlarmTopicArn", equals.get(0).path("Ref").asText());
        assertEquals("", equals.get(1).asText());
        assertEquals(Set.of("DeliveryRetryQueueBacklogAlarm", "DeliveryRetryFunctionErrorsAlarm",
                "DeliveryRetryDeadLetterQueueAlarm"), alarms.keySet());
        alarms.forEach((name, alarm) -> {
            JsonNode properties = alarm.path("Properties");
            assertEquals("HasAlarmTopic", alarm.path("Condition").asText(), name);
            assertEquals("AlarmTopicArn", properties.path("AlarmActions").get(0).path("Ref").asText(), name);
            assertEquals("AlarmTopicArn", properties.path("OKActions").get(0).path("Ref").asText(), name);
            assertEquals("GreaterThanOrEqualToThreshold", properties.path("ComparisonOperator").asText(), name);
            // SQS leaves a message received many times out of this age until it is deleted, and every parked
            // delivery is received at each step of its schedule: an alarm on it would not fire
            List<String> metricNames = new ArrayList<>();
            metricNames.add(properties.path("MetricName").asText());
            properties.path("Metrics").forEach(query ->
                    metricNames.add(query.path("MetricStat").path("Metric").path("MetricName").asText()));
            assertFalse(metricNames.contains("ApproximateAgeOfOldestMessage"), name);
        });
    }

    @Test
    void the_backlog_alarm_sums_visible_and_in_flight_messages_and_warns_before_the_fifo_limits() {
        JsonNode backlog = resources.path("DeliveryRetryQueueBacklogAlarm").path("Properties");
        JsonNode queries = backlog.path("Metrics");

        // a metric-math alarm: nothing of a single-metric alarm at the top level
        for (String single : List.of("Namespace", "MetricName", "Dimensions", "Statistic", "ExtendedStatistic",
                "Period", "Unit")) {
            assertTrue(backlog.path(single).isMissingNode(), single + " must not be set with Metrics");
        }
        Map<String, String> metricIds = new TreeMap<>();
        List<JsonNode> returned = new ArrayList<>();
        queries.forEach(query -> {
            if (query.path("ReturnData").asBoolean(true)) {
                returned.add(query);
            }
            if (query.has("MetricStat")) {
                JsonNode stat = query.path("MetricStat");
                assertEquals("AWS/SQS", stat.path("Metric").path("Namespace").asText());
                assertEquals("DeliveryRetryQueue", queueOf(stat.path("Metric")));
                assertEquals("Maximum", stat.path("Stat").asText());
                assertEquals(300, stat.path("Period").asInt());
                assertFalse(query.has("Expression"));
                metricIds.put(stat.path("Metric").path("MetricName").asText(), query.path("Id").asText());
            }
        });
        // the heads of waiting pairs are in flight, the deliveries parked behind them visible
        assertEquals(Set.of("ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible"),
                metricIds.keySet());
        assertEquals(3, queries.size());
        assertEquals(1, returned.size(), "the alarm watches exactly one query");
        String visible = metricIds.get("ApproximateNumberOfMessagesVisible");
        String inFlight = metricIds.get("ApproximateNumberOfMessagesNotVisible");
        assertEquals("FILL(" + visible + ",0)+FILL(" + inFlight + ",0)",
                returned.get(0).path("Expression").asText().replace(" ", ""),
                "the sum of both counts, a count SQS does not report being 0");

        int threshold = backlog.path("Threshold").asInt();
        int limit = Math.min(FIFO_IN_FLIGHT_QUOTA, FIFO_SEARCHED_MESSAGES);
        assertTrue(threshold < limit, threshold + " must warn before the FIFO limit of " + limit);
        assertTrue(threshold >= limit / 2, threshold + " is far below the limit: a false alarm");
        assertEquals("notBreaching", backlog.path("TreatMissingData").asText(),
                "SQS reports no count when the queue holds no message");
    }

    @Test
    void the_errors_alarm_watches_the_retry_function_over_periods_longer_than_its_timeout() {
        JsonNode errors = resources.path("DeliveryRetryFunctionErrorsAlarm").path("Properties");

        assertEquals("AWS/Lambda", errors.path("Namespace").asText());
        assertEquals("Errors", errors.path("MetricName").asText());
        assertEquals(1, errors.path("Dimensions").size());
        assertEquals("FunctionName", errors.path("Dimensions").get(0).path("Name").asText());
        assertEquals("DeliveryRetryFunction", errors.path("Dimensions").get(0).path("Value").path("Ref").asText());
        assertEquals("Sum", errors.path("Statistic").asText());
        assertEquals(1, errors.path("Threshold").asInt(), "any failed invocation");
        assertTrue(errors.path("Period").asInt() >= retryFunction.path("Timeout").asInt(),
                "a timed-out invocation must fit in one period");
        assertEquals("notBreaching", errors.path("TreatMissingData").asText(), "no invocation, no error");
    }

    @Test
    void the_dead_letter_queue_alarm_fires_on_any_message_and_never_clears_by_silence() {
        JsonNode deadLetters = resources.path("DeliveryRetryDeadLetterQueueAlarm").path("Properties");

        assertEquals("AWS/SQS", deadLetters.path("Namespace").asText());
        assertEquals("ApproximateNumberOfMessagesVisible", deadLetters.path("MetricName").asText());
        assertEquals("DeliveryRetryDeadLetterQueue", queueOf(deadLetters));
        assertEquals(1, deadLetters.path("Threshold").asInt());
        assertEquals("ignore", deadLetters.path("TreatMissingData").asText(),
                "nothing polls the dead-letter queue: its alarm must not clear when SQS stops reporting it");
    }

    private static String queueOf(JsonNode alarmProperties) {
        assertEquals(1, alarmProperties.path("Dimensions").size());
        JsonNode dimension = alarmProperties.path("Dimensions").get(0);
        assertEquals("QueueName", dimension.path("Name").asText());
        assertEquals("QueueName", dimension.path("Value").path("Fn::GetAtt").get(1).asText());
        return dimension.path("Value").path("Fn::GetAtt").get(0).asText();
    }

    @Test
    void the_dashboard_shows_only_metrics_the_code_writes_and_every_delivery_count_latency_and_record_age() throws Exception {
        // given
        JsonNode dashboard = resources.path("WebhooksDashboard");
        assertEquals("CreateDashboard", dashboard.path("Condition").asText());
        String body = dashboard.path("Properties").path("DashboardBody").path("Fn::Sub").asText();
        // the Fn::Sub variables, as the JSON strings they stand in
        JsonNode widgets = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(body.replaceAll("\\$\\{([A-Za-z0-9.:]+)\\}", "<$1>")).path("widgets");

        // when
        Set<String> shown = new TreeSet<>();
        Set<String> queues = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (JsonNode widget : widgets) {
            for (JsonNode metric : widget.path("properties").path("metrics")) {
                String namespace = metric.get(0).asText();
                String name = metric.get(1).asText();
                if (namespace.equals("<MetricsNamespace>")) {
                    String function = metric.get(3).asText();
                    if (!MetricNames.all().contains(name) || !metric.get(2).asText().equals(MetricNames.FUNCTION)
                            || !Set.of(MetricNames.STREAM_FUNCTION, MetricNames.RETRY_FUNCTION).contains(function)) {
                        wrong.add(metric.toString());
                    }
                    shown.add(function + " " + name);
                } else if (namespace.equals("AWS/SQS")) {
                    queues.add(metric.get(3).asText());
                }
            }
        }

        // then
        assertEquals(List.of(), wrong, "metrics the code does not write (MetricNames, DeliveryCount)");
        for (DeliveryCount count : List.of(DeliveryCount.DELIVERED, DeliveryCount.FAILED, DeliveryCount.PARKED,
                DeliveryCount.REFUSED, DeliveryCount.ALREADY_DONE)) {
            assertTrue(shown.contains(MetricNames.STREAM_FUNCTION + " " + count.metricName()), count + ": " + shown);
        }
        for (DeliveryCount count : List.of(DeliveryCount.DELIVERED, DeliveryCount.FAILED, DeliveryCount.DEAD_LETTERED)) {
            assertTrue(shown.contains(MetricNames.RETRY_FUNCTION + " " + count.metricName()), count + ": " + shown);
        }
        assertTrue(shown.contains(MetricNames.STREAM_FUNCTION + " " + MetricNames.DELIVERY_LATENCY), shown.toString());
        assertTrue(shown.contains(MetricNames.STREAM_FUNCTION + " " + MetricNames.OLDEST_RECORD_AGE), shown.toString());
        assertEquals(Set.of("<DeliveryRetryQueue.QueueName>", "<DeliveryRetryDeadLetterQueue.QueueName>"), queues);
    }

    @Test
    void both_functions_write_metrics_to_the_namespace_parameter_and_may_publish_events_only_to_the_given_topic() {
        assertEquals("ConversationWebhooks", template.path("Parameters").path("MetricsNamespace").path("Default").asText());
        assertEquals("", template.path("Parameters").path("EventsTopicArn").path("Default").asText());
        for (JsonNode properties : List.of(function, retryFunction)) {
            JsonNode variables = properties.path("Environment").path("Variables");
            assertEquals("MetricsNamespace", variables.path("WEBHOOKS_METRICS_NAMESPACE").path("Ref").asText());
            JsonNode topic = variables.path("WEBHOOKS_EVENTS_TOPIC_ARN").path("Fn::If");
            assertEquals("HasEventsTopic", topic.get(0).asText());
            assertEquals("EventsTopicArn", topic.get(1).path("Ref").asText());
            assertEquals("JSON", properties.path("LoggingConfig").path("LogFormat").asText());
            List<JsonNode> publish = new ArrayList<>();
            for (JsonNode policy : properties.path("Policies")) {
                if (policy.toString().contains("sns:")) {
                    publish.add(policy);
                }
            }
            assertEquals(1, publish.size(), "one SNS policy: " + publish);
            JsonNode conditional = publish.get(0).path("Fn::If");
            assertEquals("HasEventsTopic", conditional.get(0).asText(), "only with a topic");
            JsonNode statement = conditional.get(1).path("Statement").get(0);
            assertEquals("[\"sns:Publish\"]", statement.path("Action").toString());
            assertEquals("EventsTopicArn", statement.path("Resource").path("Ref").asText());
            assertEquals("AWS::NoValue", conditional.get(2).path("Ref").asText());
        }
    }

    /** Environment variable names (SmallRye's mapping: upper case, non-alphanumerics to '_') of a mapping's keys. */
    private static void collect(String prefix, Class<?> type, Set<String> names) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.getParameterCount() != 0 || method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix : prefix + "." + kebab(method.getName());
            Class<?> group = groupType(method.getGenericReturnType());
            if (group != null) {
                boolean list = method.getGenericReturnType() instanceof ParameterizedType p && p.getRawType() == List.class;
                collect(list ? key + "[0]" : key, group, names);
            } else {
                names.add(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
            }
        }
    }

    private static Class<?> groupType(Type type) {
        if (type instanceof Class<?> c) {
            return c.isInterface() && c.getPackageName().startsWith("io.conversationwebhooks") ? c : null;
        }
        if (type instanceof ParameterizedType p && (p.getRawType() == List.class || p.getRawType() == Optional.class)) {
            return groupType(p.getActualTypeArguments()[0]);
        }
        return null;
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static JsonNode key(JsonNode table) {
        return table.path("Properties").path("KeySchema").get(0);
    }

    private static String attributeType(JsonNode table, String attribute) {
        for (JsonNode definition : table.path("Properties").path("AttributeDefinitions")) {
            if (definition.path("AttributeName").asText().equals(attribute)) {
                return definition.path("AttributeType").asText();
            }
        }
        return null;
    }

    private static String loadable(String className) {
        try {
            return Class.forName(className, false, TemplateTest.class.getClassLoader()).getName();
        } catch (ClassNotFoundException e) {
            return "missing: " + className;
        }
    }

}
