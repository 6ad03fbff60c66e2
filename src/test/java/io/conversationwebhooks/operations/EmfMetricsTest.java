package io.conversationwebhooks.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The EMF lines of an invocation, parsed back: namespace, dimensions, units and the values counted. */
class EmfMetricsTest {

    private final CapturedEmf emf = new CapturedEmf();
    private final List<OperationalEvent> published = new ArrayList<>();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T22:00:00Z"), ZoneOffset.UTC);

    private OperationsReport report(boolean perSubscription, boolean publishSucceeds) {
        return new CloudWatchOperationsReport(new EmfMetrics(emf, "TestNamespace", perSubscription), event -> {
            published.add(event);
            return publishSucceeds;
        }, clock);
    }

    @Test
    void should_write_one_function_line_and_one_line_per_subscription_with_the_counts_of_the_invocation() {
        // given
        OperationsReport report = report(true, true);
        report.batch(5, 1, Optional.of(Duration.ofMillis(1500)));
        report.delivered("crm", 120);
        report.delivered("crm", 80);
        report.delivered("erp", 40);
        report.delivery(DeliveryCount.FAILED, "erp");
        report.delivery(DeliveryCount.PARKED, "erp");
        report.delivery(DeliveryCount.REFUSED, "lan");
        report.delivery(DeliveryCount.ALREADY_DONE, "crm");

        // when
        report.invocationEnded(MetricNames.STREAM_FUNCTION);

        // then
        List<JsonNode> lines = emf.lines();
        assertEquals(4, lines.size(), lines.toString());
        JsonNode function = lines.get(0);
        assertEquals("TestNamespace", function.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
        assertEquals("[[\"Function\"]]", function.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
        assertEquals(MetricNames.STREAM_FUNCTION, function.get("Function").asText());
        assertEquals(5, function.get(MetricNames.RECORDS).asInt());
        assertEquals(1, function.get(MetricNames.MALFORMED_RECORDS).asInt());
        assertEquals(1500, function.get(MetricNames.OLDEST_RECORD_AGE).asInt());
        assertEquals(1, function.get(MetricNames.COLD_START).asInt());
        assertEquals(3, function.get("DeliveriesDelivered").asInt());
        assertEquals(1, function.get("DeliveriesFailed").asInt());
        assertEquals(1, function.get("DeliveriesParked").asInt());
        assertEquals(1, function.get("DeliveriesRefused").asInt());
        assertEquals(1, function.get("DeliveriesAlreadyDone").asInt());
        assertEquals(0, function.get("DeliveriesDeadLettered").asInt());
        assertEquals("[120.0,80.0,40.0]", function.get(MetricNames.DELIVERY_LATENCY).toString());
        assertEquals("Milliseconds", unit(function, MetricNames.DELIVERY_LATENCY));
        assertEquals("Milliseconds", unit(function, MetricNames.OLDEST_RECORD_AGE));
        assertEquals("Count", unit(function, "DeliveriesDelivered"));

        JsonNode crm = lines.get(1);
        assertEquals("[[\"Function\",\"SubscriptionId\"]]", crm.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
        assertEquals("crm", crm.get("SubscriptionId").asText());
        assertEquals(2, crm.get("DeliveriesDelivered").asInt());
        assertEquals(1, crm.get("DeliveriesAlreadyDone").asInt());
        assertEquals("[120.0,80.0]", crm.get(MetricNames.DELIVERY_LATENCY).toString());
        assertFalse(crm.has(MetricNames.RECORDS), "batch metrics only on the function's line");
        JsonNode erp = lines.get(2);
        assertEquals("erp", erp.get("SubscriptionId").asText());
        assertEquals(1, erp.get("DeliveriesFailed").asInt());
        assertEquals(1, erp.get("DeliveriesParked").asInt());
        assertEquals(40, erp.get(MetricNames.DELIVERY_LATENCY).asInt());
        assertEquals(1, lines.get(3).get("DeliveriesRefused").asInt());
    }

    @Test
    void should_start_each_invocation_from_zero_and_count_the_cold_start_once() {
        // given
        OperationsReport report = report(false, true);
        report.delivered("crm", 10);
        report.invocationEnded(MetricNames.RETRY_FUNCTION);

        // when
        report.delivery(DeliveryCount.FAILED, "crm");
        report.invocationEnded(MetricNames.RETRY_FUNCTION);

        // then: per-subscription lines off: one line per invocation
        List<JsonNode> lines = emf.lines();
        assertEquals(2, lines.size(), lines.toString());
        assertEquals(MetricNames.RETRY_FUNCTION, lines.get(1).get("Function").asText());
        assertEquals(0, lines.get(1).get("DeliveriesDelivered").asInt());
        assertEquals(1, lines.get(1).get("DeliveriesFailed").asInt());
        assertFalse(lines.get(1).has(MetricNames.DELIVERY_LATENCY));
        assertEquals(1, lines.get(0).get(MetricNames.COLD_START).asInt());
        assertEquals(0, lines.get(1).get(MetricNames.COLD_START).asInt());
        assertFalse(lines.get(1).has("SubscriptionId"));
    }

    @Test
    void should_count_a_dead_letter_and_publish_its_event_and_count_events_not_published() {
        // given
        OperationsReport report = report(true, false);
        DeliveryContext delivery = new DeliveryContext("crm", "42", "msg_abc", "convo.status");

        // when
        report.deadLettered(delivery, "retry schedule used up", 8, 503, "HTTP 503");
        report.subscriptionDisabled(delivery, "HTTP 410 Gone", null, 410, "HTTP 410 Gone");
        report.invocationEnded(MetricNames.RETRY_FUNCTION);

        // then
        assertEquals(2, published.size());
        OperationalEvent deadLettered = published.get(0);
        assertEquals(new OperationalEvent(OperationalEvent.DELIVERY_DEAD_LETTERED, clock.instant(), "crm",
                "retry schedule used up", "42", "msg_abc", "convo.status", 503, "HTTP 503", null, 8), deadLettered);
        assertEquals(OperationalEvent.SUBSCRIPTION_DISABLED, published.get(1).type());
        JsonNode function = emf.lines().get(0);
        assertEquals(1, function.get("DeliveriesDeadLettered").asInt());
        assertEquals(2, function.get(MetricNames.EVENTS_NOT_PUBLISHED).asInt());
        assertEquals(1, emf.lines().get(1).get("DeliveriesDeadLettered").asInt());
    }

    @Test
    void should_never_throw_when_the_publisher_throws() {
        // given
        OperationsReport report = new CloudWatchOperationsReport(new EmfMetrics(emf, "TestNamespace", false), event -> {
            throw new IllegalStateException("boom");
        }, clock);

        // when
        report.subscriptionRecovered(new DeliveryContext("crm", "42", "msg_abc", "convo.status"), clock.instant());
        report.invocationEnded(MetricNames.STREAM_FUNCTION);

        // then
        assertEquals(1, emf.lines().get(0).get(MetricNames.EVENTS_NOT_PUBLISHED).asInt());
    }

    @Test
    void should_split_more_than_100_latencies_over_several_lines_without_losing_one() {
        // given: EMF takes at most 100 values per metric and line
        OperationsReport report = report(false, true);
        for (int i = 1; i <= 150; i++) {
            report.delivered("crm", i);
        }

        // when
        report.invocationEnded(MetricNames.STREAM_FUNCTION);

        // then
        double sum = 0;
        int values = 0;
        for (JsonNode line : emf.lines()) {
            JsonNode latency = line.get(MetricNames.DELIVERY_LATENCY);
            if (latency != null) {
                for (JsonNode value : latency.isArray() ? latency : List.of(latency)) {
                    sum += value.asDouble();
                    values++;
                }
            }
        }
        assertTrue(emf.lines().size() >= 2, emf.lines().size() + " lines");
        assertEquals(150, values);
        assertEquals(150 * 151 / 2.0, sum);
    }

    @Test
    void every_metric_name_is_valid_for_cloudwatch() {
        for (String name : MetricNames.all()) {
            assertTrue(name.matches("[A-Za-z]{1,255}"), name);
        }
        assertEquals(MetricNames.all().size(), MetricNames.all().stream().distinct().count());
    }

    private static String unit(JsonNode line, String metric) {
        for (JsonNode definition : line.at("/_aws/CloudWatchMetrics/0/Metrics")) {
            if (definition.get("Name").asText().equals(metric)) {
                return definition.get("Unit").asText();
            }
        }
        throw new AssertionError(metric + " not declared in " + line);
    }
}
