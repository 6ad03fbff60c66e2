package io.conversationwebhooks.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import software.amazon.cloudwatchlogs.emf.model.Unit;

/**
 * {@link OperationsReport} as metrics ({@link EmfMetrics}) and operational events ({@link OperationalEvents}). A
 * publish that fails is logged by the publisher and counted as {@link MetricNames#EVENTS_NOT_PUBLISHED}.
 */
public final class CloudWatchOperationsReport implements OperationsReport {

    private static final Logger LOG = Logger.getLogger(CloudWatchOperationsReport.class);

    private final EmfMetrics metrics;
    private final OperationalEvents events;
    private final Clock clock;
    private final AtomicBoolean coldStart = new AtomicBoolean(true);

    /**
     * @param metrics the invocation's metrics
     * @param events where events go ({@link OperationalEvents#NONE} without a topic)
     * @param clock time of the events
     */
    public CloudWatchOperationsReport(EmfMetrics metrics, OperationalEvents events, Clock clock) {
        this.metrics = metrics;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void delivery(DeliveryCount count, String subscriptionId) {
        metrics.count(count, subscriptionId);
    }

    @Override
    public void delivered(String subscriptionId, long latencyMillis) {
        metrics.count(DeliveryCount.DELIVERED, subscriptionId);
        metrics.latency(subscriptionId, latencyMillis);
    }

    @Override
    public void deadLettered(DeliveryContext delivery, String reason, int attempts, int lastStatus, String lastError) {
        metrics.count(DeliveryCount.DEAD_LETTERED, delivery.subscriptionId());
        publish(new OperationalEvent(OperationalEvent.DELIVERY_DEAD_LETTERED, clock.instant(), delivery.subscriptionId(),
                reason, delivery.conversationId(), delivery.webhookId(), delivery.event(), lastStatus, lastError, null,
                attempts));
    }

    @Override
    public void subscriptionDisabled(DeliveryContext delivery, String reason, Instant failingSince, int lastStatus,
            String lastError) {
        publish(new OperationalEvent(OperationalEvent.SUBSCRIPTION_DISABLED, clock.instant(), delivery.subscriptionId(),
                reason, delivery.conversationId(), delivery.webhookId(), delivery.event(), lastStatus, lastError,
                failingSince, 0));
    }

    @Override
    public void subscriptionRecovered(DeliveryContext delivery, Instant failingSince) {
        LOG.infof("Subscription %s recovered: delivered again after failing since %s", delivery.subscriptionId(),
                failingSince);
        publish(new OperationalEvent(OperationalEvent.SUBSCRIPTION_RECOVERED, clock.instant(), delivery.subscriptionId(),
                null, delivery.conversationId(), delivery.webhookId(), delivery.event(), 0, null, failingSince, 0));
    }

    @Override
    public void batch(int records, int malformed, Optional<Duration> oldestRecordAge) {
        metrics.put(MetricNames.RECORDS, records, Unit.COUNT);
        metrics.put(MetricNames.MALFORMED_RECORDS, malformed, Unit.COUNT);
        oldestRecordAge.ifPresent(age -> metrics.put(MetricNames.OLDEST_RECORD_AGE, Math.max(0, age.toMillis()),
                Unit.MILLISECONDS));
    }

    @Override
    public void invocationEnded(String function) {
        metrics.put(MetricNames.COLD_START, coldStart.getAndSet(false) ? 1 : 0, Unit.COUNT);
        metrics.flush(function);
    }

    private void publish(OperationalEvent event) {
        boolean published;
        try {
            published = events.publish(event);
        } catch (RuntimeException e) {
            LOG.errorf("Cannot publish %s for subscription %s: %s", event.type(), event.subscriptionId(), e.toString());
            published = false;
        }
        if (!published) {
            metrics.increment(MetricNames.EVENTS_NOT_PUBLISHED);
        }
    }
}
