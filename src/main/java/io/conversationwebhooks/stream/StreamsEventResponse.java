package io.conversationwebhooks.stream;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The function's answer to Lambda: the records to retry
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html">Reporting batch
 * item failures for DynamoDB</a>). Lambda resumes the shard at the lowest reported sequence number.
 *
 * @param batchItemFailures failed records; empty when every record was handled
 */
@RegisterForReflection
public record StreamsEventResponse(List<BatchItemFailure> batchItemFailures) {

    /**
     * One record to retry.
     *
     * @param itemIdentifier the record's {@code SequenceNumber}; never null or empty
     */
    @RegisterForReflection
    public record BatchItemFailure(String itemIdentifier) {
    }

    /** Builds the response from sequence numbers, in the order given. */
    public static StreamsEventResponse of(List<String> sequenceNumbers) {
        return new StreamsEventResponse(sequenceNumbers.stream().map(BatchItemFailure::new).toList());
    }
}
