/**
 * The delivery ledger table: what became of each (webhook-id, subscription) pair, the pair items that keep parked
 * deliveries in order, and the dead-letter index replay reads (README, "Delivery guarantees"). Storage only: which write
 * follows which outcome is decided in {@code settlement}.
 */
package io.conversationwebhooks.ledger;
