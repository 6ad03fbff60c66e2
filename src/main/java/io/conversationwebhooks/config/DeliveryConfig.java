package io.conversationwebhooks.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * How webhook requests are sent ({@code webhooks.delivery.*}, a group of {@link WebhooksConfig}): timeouts, inline
 * retries and the target-address guard (CONTRACT section 6).
 */
public interface DeliveryConfig {

    /**
     * Allow subscriber URLs that resolve to loopback, private, link-local or other non-public addresses
     * ({@code WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS}).
     */
    @WithDefault("false")
    boolean allowPrivateNetworks();

    /**
     * Non-public ranges subscriber URLs may resolve to all the same ({@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS}):
     * comma-separated IPv4 and IPv6 CIDR ranges, e.g. the VPC's {@code 10.0.0.0/16}; the cloud metadata addresses are
     * never allowed. None by default; an entry that is not a CIDR range stops the function from starting.
     */
    Optional<List<String>> allowedNetworks();

    /** Time allowed to open the TCP (and TLS) connection to a subscriber. */
    @WithDefault("2s")
    Duration connectTimeout();

    /**
     * Time allowed for one attempt, from sending the request to receiving the final response status; what is read of
     * the body after it (at most 1 s) ends within it too.
     */
    @WithDefault("5s")
    Duration timeout();

    /** Attempts per delivery inside one invocation, the first included; retries only follow retryable failures. */
    @WithDefault("3")
    int maxAttempts();

    /** Backoff before the second attempt; it doubles for each later attempt, up to {@link #maxBackoff()}. */
    @WithDefault("250ms")
    Duration initialBackoff();

    /** Upper bound of one backoff delay. */
    @WithDefault("2s")
    Duration maxBackoff();

    /** Connections kept open per subscriber host and port, reused across deliveries. */
    @WithDefault("50")
    int maxConnectionsPerHost();

    /**
     * Most webhook requests in flight at once in the container, all subscribers together. Each holds a connection, so
     * a file descriptor, and Lambda allows 1,024 of them, of which the JVM holds about 170; 512 leaves room for the
     * AWS clients and for bursts (BENCHMARKS.md).
     */
    @WithDefault("512")
    int maxInFlight();
}
