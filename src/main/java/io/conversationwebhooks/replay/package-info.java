/**
 * {@code ./replay.sh}: re-sends a subscription's dead-lettered deliveries in stream order, outside Lambda and without
 * Quarkus, with the functions' configuration ({@link io.conversationwebhooks.config.ConfigReader}), the same signed
 * request, address guard and settlement table.
 */
package io.conversationwebhooks.replay;
