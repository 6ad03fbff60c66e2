package io.conversationwebhooks.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * The delivery ledger (README, "Delivery guarantees"): a DynamoDB table recording what became of every (webhook-id,
 * subscription) pair, so that a redelivered stream batch sends nothing twice and dead-lettered deliveries can be
 * replayed. Its keys sit directly under {@code webhooks.} ({@code WEBHOOKS_DELIVERIES_TABLE}, ...), a group of
 * {@link WebhooksConfig}.
 */
public interface LedgerConfig {

    /** Name of the ledger table ({@code WEBHOOKS_DELIVERIES_TABLE}); empty means no ledger and no duplicate check. */
    Optional<String> deliveriesTable();

    /**
     * How long a ledger item is kept after its last write (its {@code expiresAt} TTL). It must outlast every
     * redelivery of a stream record: DynamoDB streams keep records for 24 hours.
     */
    @WithDefault("3d")
    Duration deliveriesRetention();

    /** How long a dead-lettered delivery stays in the ledger, ready to be replayed, after it was dead-lettered. */
    @WithDefault("14d")
    Duration deadLetterRetention();
}
