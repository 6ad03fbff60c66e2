/**
 * {@code ./subscriptions.sh}: lists, shows, adds, disables, enables and rotates the secret of the subscriptions in the
 * deployed table, outside Lambda and without Quarkus, with the functions' configuration
 * ({@link io.conversationwebhooks.config.ConfigReader}) and their rules for a subscription
 * ({@link io.conversationwebhooks.subscription.SubscriptionFactory}).
 */
package io.conversationwebhooks.admin;
