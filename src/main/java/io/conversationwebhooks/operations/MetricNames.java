package io.conversationwebhooks.operations;

import java.util.ArrayList;
import java.util.List;

/**
 * The CloudWatch metric and dimension names the functions write (README, "Monitoring"; the dashboard in template.yaml
 * refers to them and a test keeps the two in step). Delivery counts are {@link DeliveryCount}.
 */
public final class MetricNames {

    /** Duration of a successful attempt, from the request's start to the response's status line; Milliseconds. */
    public static final String DELIVERY_LATENCY = "DeliveryLatency";
    /** Now minus the {@code ApproximateCreationDateTime} of the batch's oldest record; Milliseconds. */
    public static final String OLDEST_RECORD_AGE = "OldestRecordAge";
    /** Records in a stream batch; Count. */
    public static final String RECORDS = "Records";
    /** Records of a stream batch that cannot be read (reported as batch item failures); Count. */
    public static final String MALFORMED_RECORDS = "MalformedRecords";
    /** 1 for the first invocation of a function instance; Count. */
    public static final String COLD_START = "ColdStart";
    /** Operational events that could not be published to SNS; Count. */
    public static final String EVENTS_NOT_PUBLISHED = "OperationalEventsNotPublished";

    /** Dimension: which function, {@link #STREAM_FUNCTION} or {@link #RETRY_FUNCTION}. */
    public static final String FUNCTION = "Function";
    /** Dimension of delivery metrics, unless switched off: the subscription id. */
    public static final String SUBSCRIPTION_ID = "SubscriptionId";

    /** {@link #FUNCTION} of the stream function (its Funqy export name). */
    public static final String STREAM_FUNCTION = "conversation-webhooks";
    /** {@link #FUNCTION} of the retry function (its Funqy export name). */
    public static final String RETRY_FUNCTION = "conversation-webhooks-retry";

    private MetricNames() {
    }

    /** Every metric name the functions can write. */
    public static List<String> all() {
        List<String> names = new ArrayList<>();
        for (DeliveryCount count : DeliveryCount.values()) {
            names.add(count.metricName());
        }
        names.addAll(List.of(DELIVERY_LATENCY, OLDEST_RECORD_AGE, RECORDS, MALFORMED_RECORDS, COLD_START,
                EVENTS_NOT_PUBLISHED));
        return names;
    }
}
