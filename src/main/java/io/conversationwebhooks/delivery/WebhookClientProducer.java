package io.conversationwebhooks.delivery;

import java.net.InetAddress;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import io.conversationwebhooks.config.DeliveryConfig;
import io.vertx.core.Vertx;

/** Builds the one {@link WebhookClient} and {@link AddressGuard} of the container from {@link DeliveryConfig}. */
public class WebhookClientProducer {

    /**
     * The client, on Quarkus' Vert.x instance: connect timeout from configuration, keep-alive connections pooled per
     * host, redirects never followed, every connection's peer address checked by the address guard before the request
     * is sent, and responses read as CONTRACT section 6 says ({@link VertxWebhookClient}).
     */
    @Produces
    @ApplicationScoped
    WebhookClient webhookClient(Vertx vertx, DeliveryConfig config, AddressGuard guard) {
        return build(vertx, config, guard);
    }

    void close(@Disposes WebhookClient client) {
        if (client instanceof VertxWebhookClient vertxClient) {
            vertxClient.close();
        }
    }

    /**
     * Builds the client; public so tests can build one around a guard of their own.
     *
     * @param vertx the Vert.x instance whose event loops run the requests
     * @param config connect timeout and pool size
     * @param guard checks each connection's peer address before the request is sent
     */
    public static WebhookClient build(Vertx vertx, DeliveryConfig config, AddressGuard guard) {
        return new VertxWebhookClient(vertx, config.connectTimeout(), config.maxConnectionsPerHost(), guard);
    }

    /**
     * The guard, resolving names with the JVM resolver (which caches answers for 30 s by default).
     *
     * @throws IllegalArgumentException naming the entry of {@code webhooks.delivery.allowed-networks} that is not a
     *         CIDR range
     */
    @Produces
    @ApplicationScoped
    AddressGuard addressGuard(DeliveryConfig config) {
        AllowedNetworks allowed;
        try {
            allowed = AllowedNetworks.parse(config.allowedNetworks().orElse(List.of()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhooks.delivery.allowed-networks: " + e.getMessage(), e);
        }
        return new AddressGuard(config.allowPrivateNetworks(), allowed, InetAddress::getAllByName);
    }
}
