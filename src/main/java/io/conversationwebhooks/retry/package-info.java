/**
 * The retry function's work: an SQS batch of the retry queue in; per message group, in order, each parked delivery
 * decided by {@link io.conversationwebhooks.retry.RetryDecision} (pure), attempted once with a fresh signature, and
 * settled by the table; partial batch responses out.
 */
package io.conversationwebhooks.retry;
