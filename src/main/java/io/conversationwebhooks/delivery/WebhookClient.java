package io.conversationwebhooks.delivery;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;

import io.quarkus.rest.client.reactive.Url;
import io.smallrye.mutiny.Uni;

/**
 * The HTTP call of a webhook, through the Quarkus REST client; built by {@link WebhookClientProducer} with the
 * delivery timeouts, connection reuse per host, and redirects never followed.
 */
public interface WebhookClient {

    /** Header names of CONTRACT section 6. */
    String EVENT = "X-FreeScout-Event";
    String FREESCOUT_SIGNATURE = "X-FreeScout-Signature";
    String WEBHOOK_ID = "webhook-id";
    String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    String WEBHOOK_SIGNATURE = "webhook-signature";
    String CONTENT_TYPE = "application/json; charset=utf-8";

    /**
     * POSTs the body to the subscriber.
     *
     * @return the response, whatever its status (no exception for 3xx-5xx); fails on connection errors and timeouts
     */
    @POST
    Uni<Response> post(@Url String url, @HeaderParam("Content-Type") String contentType,
            @HeaderParam(EVENT) String event, @HeaderParam(FREESCOUT_SIGNATURE) String freeScoutSignature,
            @HeaderParam(WEBHOOK_ID) String webhookId, @HeaderParam(WEBHOOK_TIMESTAMP) String webhookTimestamp,
            @HeaderParam(WEBHOOK_SIGNATURE) String webhookSignature, byte[] body);
}
