/**
 * Who receives what: subscriptions from the DynamoDB table or from configuration (CONTRACT section 4), their secrets,
 * and their health (disabling after 410 Gone or a long failing period; failure and success times).
 */
package io.conversationwebhooks.subscription;
