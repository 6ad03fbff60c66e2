/**
 * The two Lambda entry points, thin: {@link io.conversationwebhooks.ConversationStreamFunction} (DynamoDB Streams batch
 * in, batch item failures out) and {@link io.conversationwebhooks.DeliveryRetryFunction} (SQS batch of the retry queue
 * in, messages to keep out). Packages by pipeline stage, each depending only on those before it: {@code stream},
 * {@code change}, {@code subscription}, {@code delivery}, {@code ledger}, {@code parking}, {@code operations},
 * {@code settlement}, then {@code fanout}, {@code retry} and {@code replay}; {@code admin} ({@code ./subscriptions.sh})
 * uses only {@code change} and {@code subscription}; {@code config} is read by all.
 */
package io.conversationwebhooks;
