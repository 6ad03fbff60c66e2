package io.conversationwebhooks;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.conversationwebhooks.config.StreamConfig;
import io.conversationwebhooks.fanout.WebhookDeliveries;
import io.conversationwebhooks.operations.MetricNames;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.stream.BatchProcessor;
import io.conversationwebhooks.stream.BatchResult;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.stream.StreamsEvent;
import io.conversationwebhooks.stream.StreamsEventResponse;
import io.quarkus.funqy.Funq;

/**
 * The Lambda entry point (CONTRACT section 1): a DynamoDB Streams batch of the conversations table in, batch item
 * failures out. Funqy's advanced event handling is off, so the whole batch arrives here and its records of one
 * conversation can be kept in order (see {@link BatchProcessor}).
 */
public class ConversationStreamFunction {

    private static final Logger LOG = Logger.getLogger(ConversationStreamFunction.class);

    @Inject
    StreamConfig config;

    @Inject
    WebhookDeliveries deliveries;

    @Inject
    OperationsReport report;

    /**
     * @param batch the batch, {@code {"Records":[...]}}, decoded record by record while Funqy reads it
     *        ({@link StreamsEvent.DecodingDeserializer})
     * @return {@code {"batchItemFailures":[{"itemIdentifier":"<SequenceNumber>"}]}}, empty when all records were
     *         handled
     */
    @Funq("conversation-webhooks")
    public StreamsEventResponse handle(BatchProcessor.DecodedBatch batch) {
        report.batch(batch.size(), batch.malformed(), oldestRecordAge(batch.records(), Instant.now()));
        try {
            return deliver(batch);
        } finally {
            report.invocationEnded(MetricNames.STREAM_FUNCTION);
        }
    }

    private StreamsEventResponse deliver(BatchProcessor.DecodedBatch batch) {
        Instant deadline = config.budget().deadline(Instant.now());
        BatchProcessor processor = new BatchProcessor(config.maxConcurrentConversations(), Clock.systemUTC());
        if (batch.records().isEmpty()) {
            LOG.infof("Batch: %d records, %d malformed", batch.size(), batch.malformed());
            return StreamsEventResponse.of(List.of());
        }
        WebhookDeliveries.BatchDeliveries batchDeliveries;
        try {
            batchDeliveries = deliveries.forBatch(deadline.minus(config.budget().bookkeepingMargin()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Cannot read subscriptions; all %d records of the batch will be retried", batch.records().size());
            return StreamsEventResponse.of(batch.sequenceNumbers());
        }
        BatchResult result = processor.process(batch, batchDeliveries, deadline);
        LOG.infof("Batch: %d records, %d malformed, %d failed, %d held back; deliveries: %d delivered, %d failed, %d rejected, "
                + "%d parked, %d already done", result.records(), result.malformed(), result.failed(), result.heldBack(),
                batchDeliveries.delivered(), batchDeliveries.failed(), batchDeliveries.rejected(), batchDeliveries.parked(),
                batchDeliveries.alreadyDone());
        return StreamsEventResponse.of(result.failedSequenceNumbers());
    }

    /**
     * Now minus the oldest {@code ApproximateCreationDateTime} (fractional epoch seconds) of the records: how far behind
     * the stream the function is (AWS Lambda's {@code IteratorAge} measures the same for the whole batch).
     */
    static Optional<Duration> oldestRecordAge(List<StreamRecord> records, Instant now) {
        return records.stream().map(StreamRecord::approximateCreationDateTime).filter(Objects::nonNull)
                .min(BigDecimal::compareTo)
                .map(seconds -> Duration.between(Instant.ofEpochMilli(seconds.movePointRight(3).longValue()), now));
    }
}
