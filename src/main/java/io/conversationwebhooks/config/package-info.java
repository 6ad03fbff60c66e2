/**
 * The one configuration root {@code webhooks} ({@link io.conversationwebhooks.config.WebhooksConfig}) and its groups,
 * with a default and a unit on every key; {@link io.conversationwebhooks.config.ConfigReader} reads it without Quarkus
 * for the command-line tools.
 */
package io.conversationwebhooks.config;
