package io.conversationwebhooks;

import java.time.Instant;

import jakarta.inject.Inject;

import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.operations.MetricNames;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.retry.DeliveryRetries;
import io.conversationwebhooks.retry.SqsBatchResponse;
import io.conversationwebhooks.retry.SqsEvent;
import io.quarkus.funqy.Funq;

/**
 * The retry function's Lambda entry point: a batch of the SQS FIFO retry queue in, the messages to keep out
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting">partial
 * batch responses</a>). It runs from the same function.zip as the stream function, selected with
 * {@code QUARKUS_FUNQY_EXPORT=conversation-webhooks-retry} (template.yaml sets it).
 */
public class DeliveryRetryFunction {

    @Inject
    RetryConfig config;

    @Inject
    DeliveryRetries retries;

    @Inject
    OperationsReport report;

    /**
     * @param event the batch, {@code {"Records":[...]}}
     * @return {@code {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}}, empty when every message is finished
     */
    @Funq("conversation-webhooks-retry")
    public SqsBatchResponse retry(SqsEvent event) {
        Instant deadline = config.budget().deadline(Instant.now());
        try {
            return retries.handle(event, deadline);
        } finally {
            report.invocationEnded(MetricNames.RETRY_FUNCTION);
        }
    }
}
