package io.conversationwebhooks.retry;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The retry function's answer to Lambda: the messages to keep on the queue
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting">partial
 * batch responses</a>); Lambda deletes the others.
 *
 * @param batchItemFailures the messages not finished; empty when every message was
 */
@RegisterForReflection
public record SqsBatchResponse(List<BatchItemFailure> batchItemFailures) {

    /**
     * One message to keep.
     *
     * @param itemIdentifier its {@code messageId}
     */
    @RegisterForReflection
    public record BatchItemFailure(String itemIdentifier) {
    }

    /** Builds the response from message ids, in the order given. */
    public static SqsBatchResponse of(List<String> messageIds) {
        return new SqsBatchResponse(messageIds.stream().map(BatchItemFailure::new).toList());
    }
}
