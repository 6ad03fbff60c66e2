/**
 * Parking, shared by both functions: the SQS FIFO retry queue, the parked-delivery message, the retry schedule, and
 * parking itself (pair item, message, ledger item, in that order). The stream function parks; the retry function reads
 * the messages, puts them back and finishes them.
 */
package io.conversationwebhooks.parking;
