package io.conversationwebhooks.operations;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.Unit;

/**
 * The metrics of one invocation, written at its end as
 * <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html">CloudWatch
 * Embedded Metric Format</a> lines through AWS's {@code aws-embedded-metrics} library: CloudWatch Logs turns each line of
 * the function's log into metric values, no API call and no thread needed.
 *
 * <p>Lines written by {@link #flush}: one with the function's own metrics (records, malformed records, oldest record
 * age, cold start, events not published) and the delivery totals, dimensions {@code [Function]}; and, when
 * per-subscription metrics are on, one per subscription that had deliveries, dimensions
 * {@code [Function, SubscriptionId]}. Counts that stayed 0 are written as 0 (a dashboard then shows 0, not a gap),
 * latencies as the list of values of the invocation (EMF allows up to 100 values per metric; more are summarised by
 * the library into several lines).
 *
 * <p>Thread-safe: deliveries of a batch are counted from several threads. Lambda runs one invocation at a time per
 * instance, which is what lets one instance collect an invocation and {@link #flush} it.
 */
// The library serialises its (package-private) model with Jackson: registered for reflection for the native image.
@RegisterForReflection(classNames = { "software.amazon.cloudwatchlogs.emf.model.RootNode",
        "software.amazon.cloudwatchlogs.emf.model.Metadata", "software.amazon.cloudwatchlogs.emf.model.MetricDirective",
        "software.amazon.cloudwatchlogs.emf.model.MetricDefinition", "software.amazon.cloudwatchlogs.emf.model.DimensionSet",
        "software.amazon.cloudwatchlogs.emf.model.Unit", "software.amazon.cloudwatchlogs.emf.model.StorageResolution",
        "software.amazon.cloudwatchlogs.emf.serializers.InstantSerializer",
        "software.amazon.cloudwatchlogs.emf.serializers.InstantDeserializer",
        "software.amazon.cloudwatchlogs.emf.serializers.UnitSerializer",
        "software.amazon.cloudwatchlogs.emf.serializers.UnitDeserializer",
        "software.amazon.cloudwatchlogs.emf.serializers.StorageResolutionSerializer",
        "software.amazon.cloudwatchlogs.emf.serializers.StorageResolutionFilter" })
public final class EmfMetrics {

    private static final Logger LOG = Logger.getLogger(EmfMetrics.class);

    private final Environment environment;
    private final String namespace;
    private final boolean perSubscription;

    private final Map<String, Measure> functionMetrics = new LinkedHashMap<>();
    private final Map<String, Counters> bySubscription = new LinkedHashMap<>();
    private final Counters total = new Counters();

    /**
     * @param environment where lines go: the library's {@code LambdaEnvironment} (stdout, which Lambda sends to the
     *        function's log group) or a test's
     * @param namespace the CloudWatch namespace ({@code WEBHOOKS_METRICS_NAMESPACE})
     * @param perSubscription whether delivery metrics also get a {@code [Function, SubscriptionId]} line
     */
    public EmfMetrics(Environment environment, String namespace, boolean perSubscription) {
        this.environment = environment;
        this.namespace = namespace;
        this.perSubscription = perSubscription;
    }

    /** Counts one delivery. */
    public synchronized void count(DeliveryCount count, String subscriptionId) {
        total.add(count);
        if (perSubscription) {
            bySubscription.computeIfAbsent(subscriptionId, id -> new Counters()).add(count);
        }
    }

    /** Records the latency of a successful attempt, in milliseconds. */
    public synchronized void latency(String subscriptionId, long millis) {
        total.latencies.add((double) millis);
        if (perSubscription) {
            bySubscription.computeIfAbsent(subscriptionId, id -> new Counters()).latencies.add((double) millis);
        }
    }

    /**
     * Sets a metric of the function itself for this invocation (a later call replaces the value).
     *
     * @param name one of {@link MetricNames}
     * @param value the value, in {@code unit}
     * @param unit {@code Count} or {@code Milliseconds}
     */
    public synchronized void put(String name, double value, Unit unit) {
        functionMetrics.put(name, new Measure(value, unit));
    }

    /** Adds to a count of the function itself for this invocation. */
    public synchronized void increment(String name) {
        Measure current = functionMetrics.get(name);
        functionMetrics.put(name, new Measure(current == null ? 1 : current.value() + 1, Unit.COUNT));
    }

    /**
     * Writes the invocation's lines and starts the next invocation from zero. Never throws: metrics must not fail an
     * invocation (a failure is logged).
     *
     * @param function the {@code Function} dimension, {@link MetricNames#STREAM_FUNCTION} or
     *        {@link MetricNames#RETRY_FUNCTION}
     */
    public void flush(String function) {
        Map<String, Measure> own;
        Map<String, Counters> subscriptions;
        Counters totals;
        synchronized (this) {
            own = new LinkedHashMap<>(functionMetrics);
            subscriptions = new LinkedHashMap<>(bySubscription);
            totals = total.copy();
            functionMetrics.clear();
            bySubscription.clear();
            total.clear();
        }
        try {
            MetricsLogger line = logger(DimensionSet.of(MetricNames.FUNCTION, function));
            own.forEach((name, measure) -> line.putMetric(name, measure.value(), measure.unit()));
            totals.putInto(line);
            line.flush();
            for (Map.Entry<String, Counters> subscription : subscriptions.entrySet()) {
                MetricsLogger perSubscriptionLine = logger(DimensionSet.of(MetricNames.FUNCTION, function,
                        MetricNames.SUBSCRIPTION_ID, subscription.getKey()));
                subscription.getValue().putInto(perSubscriptionLine);
                perSubscriptionLine.flush();
            }
        } catch (RuntimeException e) {
            LOG.errorf("Cannot write the invocation's metrics: %s", e.toString());
        }
    }

    private MetricsLogger logger(DimensionSet dimensions) {
        MetricsLogger logger = new MetricsLogger(environment);
        logger.setNamespace(namespace);
        // replaces the library's default dimensions (LogGroup, ServiceName, ServiceType)
        logger.setDimensions(dimensions);
        return logger;
    }

    private record Measure(double value, Unit unit) {
    }

    private static final class Counters {
        private final Map<DeliveryCount, Long> counts = new EnumMap<>(DeliveryCount.class);
        private final List<Double> latencies = new ArrayList<>();

        void add(DeliveryCount count) {
            counts.merge(count, 1L, Long::sum);
        }

        void putInto(MetricsLogger logger) {
            for (DeliveryCount count : DeliveryCount.values()) {
                logger.putMetric(count.metricName(), counts.getOrDefault(count, 0L), Unit.COUNT);
            }
            latencies.forEach(millis -> logger.putMetric(MetricNames.DELIVERY_LATENCY, millis, Unit.MILLISECONDS));
        }

        Counters copy() {
            Counters copy = new Counters();
            copy.counts.putAll(counts);
            copy.latencies.addAll(latencies);
            return copy;
        }

        void clear() {
            counts.clear();
            latencies.clear();
        }
    }
}
