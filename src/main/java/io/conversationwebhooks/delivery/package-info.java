/**
 * One delivery to one subscriber over HTTP: the payload, the {@link io.conversationwebhooks.delivery.SignedRequest}
 * (the one place a request is assembled and signed), the Vert.x HTTP client (VertxWebhookClient), inline retries within an invocation's budget, the
 * target-address guard, and the sealed {@link io.conversationwebhooks.delivery.DeliveryOutcome} of the attempts (CONTRACT
 * section 6). Knows nothing of the ledger or the queue.
 */
package io.conversationwebhooks.delivery;
