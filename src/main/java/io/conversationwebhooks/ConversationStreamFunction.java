package io.conversationwebhooks;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.conversationwebhooks.config.StreamConfig;
import io.conversationwebhooks.fanout.WebhookDeliveries;
import io.conversationwebhooks.stream.BatchProcessor;
import io.conversationwebhooks.stream.BatchResult;
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

    /**
     * @param batch the batch, {@code {"Records":[...]}}, decoded record by record while Funqy reads it
     *        ({@link StreamsEvent.DecodingDeserializer})
     * @return {@code {"batchItemFailures":[{"itemIdentifier":"<SequenceNumber>"}]}}, empty when all records were
     *         handled
     */
    @Funq("conversation-webhooks")
    public StreamsEventResponse handle(BatchProcessor.DecodedBatch batch) {
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
}
