/**
 * Stage 1, the DynamoDB Streams batch: decoding the event as Funqy reads it ({@code Records}, images in the
 * attribute-value JSON of the
 * <a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html">StreamRecord</a>),
 * grouping records by conversation, running each conversation in stream order, the checkpoint rule and the batch item
 * failures (CONTRACT sections 1 and 7). Knows nothing of webhooks: a {@link io.conversationwebhooks.stream.RecordHandler}
 * handles each record.
 */
package io.conversationwebhooks.stream;
