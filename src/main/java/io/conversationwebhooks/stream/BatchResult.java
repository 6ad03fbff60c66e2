package io.conversationwebhooks.stream;

import java.util.List;

/**
 * What became of a batch.
 *
 * @param failedSequenceNumbers records Lambda must retry, in stream order: the failed ones and the unfinished ones
 * @param records records in the batch
 * @param malformed records skipped because they can never be processed
 * @param failed records whose own work failed
 * @param heldBack unfinished records: not attempted because an earlier record of their conversation failed, or still
 *        running at the deadline
 */
public record BatchResult(List<String> failedSequenceNumbers, int records, int malformed, int failed, int heldBack) {
}
