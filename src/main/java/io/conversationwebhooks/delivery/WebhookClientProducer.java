package io.conversationwebhooks.delivery;

import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

import io.conversationwebhooks.config.DeliveryConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;

/** Builds the one {@link WebhookClient} and {@link AddressGuard} of the container from {@link DeliveryConfig}. */
public class WebhookClientProducer {

    /**
     * The client: connect and read timeouts from configuration, keep-alive connections pooled per host, redirects
     * never followed (a 3xx is a failed delivery), and no exception mapping, so every status reaches the dispatcher.
     * The base URI is never used: every call names its URL with {@code @Url}. Every connection's peer address passes
     * the address guard before the request is sent.
     */
    @Produces
    @ApplicationScoped
    WebhookClient webhookClient(DeliveryConfig config, AddressGuard guard) {
        return build(config, guard);
    }

    /**
     * Builds the client; public so tests can build one around a guard of their own.
     *
     * @param config timeouts and pool size
     * @param guard checks each connection's peer address before the request is sent
     */
    public static WebhookClient build(DeliveryConfig config, AddressGuard guard) {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create("http://localhost"))
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .disableDefaultMapper(true)
                .userAgent("conversation-webhooks")
                .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, config.maxConnectionsPerHost())
                .property(QuarkusRestClientProperties.KEEP_ALIVE_ENABLED, true)
                .httpClientRequestCustomizer(guard::verifyConnected)
                .build(WebhookClient.class);
    }

    /** The guard, resolving names with the JVM resolver (which caches answers for 30 s by default). */
    @Produces
    @ApplicationScoped
    AddressGuard addressGuard(DeliveryConfig config) {
        return new AddressGuard(config.allowPrivateNetworks(), InetAddress::getAllByName);
    }
}
