package io.conversationwebhooks.ledger;

import java.time.Instant;
import java.util.Set;

/**
 * A ledger item as read.
 *
 * @param key its key
 * @param outcome the delivery's outcome; null for a pair item
 * @param delivery what the delivery is; null for a pair item
 * @param progress attempts and last result so far
 * @param nextAttemptAt when the retry function may attempt a parked delivery next; null when not parked
 * @param retryStep index, in the retry schedule, of the delay to wait after the next failure of a parked delivery
 * @param body the request body, kept for dead-lettered deliveries only and returned by
 *        {@link DeliveryLedger#deadLetters} only; null otherwise
 * @param parked for a pair item: webhook-ids of the pair's parked, unfinished deliveries; empty otherwise
 */
public record LedgerEntry(LedgerKey key, LedgerOutcome outcome, LedgerDelivery delivery, Progress progress,
        Instant nextAttemptAt, int retryStep, byte[] body, Set<String> parked) {
}
