package io.conversationwebhooks.stream;

import java.util.List;

/**
 * What became of a batch.
 *
 * @param failedSequenceNumbers records Lambda must retry, in stream order: the failed ones and the later records of
 *        the same conversations that were held back
 * @param records records in the batch
 * @param malformed records skipped because they can never be processed
 * @param failed records whose own work failed
 * @param heldBack records not attempted because an earlier record of their conversation failed
 */
public record BatchResult(List<String> failedSequenceNumbers, int records, int malformed, int failed, int heldBack) {
}
