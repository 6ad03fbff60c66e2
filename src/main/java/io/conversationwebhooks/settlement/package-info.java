/**
 * What an attempt leads to, on every path: the {@link io.conversationwebhooks.settlement.Settlement} table (ledger write,
 * health change and next step per path and outcome), the stream function's journals that carry it out around a record
 * (pass-through without a ledger; ledger with or without parking), and the wiring of ledger and retry queue from
 * configuration ({@link io.conversationwebhooks.settlement.DurableDelivery}).
 */
package io.conversationwebhooks.settlement;
