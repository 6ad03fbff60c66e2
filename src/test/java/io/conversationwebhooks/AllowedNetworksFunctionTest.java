package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.conversationwebhooks.testing.AllowedNetworksResource;
import io.conversationwebhooks.testing.CapturedLogs;
import io.conversationwebhooks.testing.Events;
import io.conversationwebhooks.testing.InjectReceiver;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.ReceiverResource;
import io.conversationwebhooks.testing.Signatures;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.conversationwebhooks.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The function configured the way an operator would: private networks refused, {@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS}
 * listing the receiver's range and the link-local range, and subscriptions in configuration with a previous secret and
 * static headers ({@link AllowedNetworksResource}).
 */
@QuarkusTest
@QuarkusTestResource(value = AllowedNetworksResource.class, restrictToAnnotatedClass = true)
class AllowedNetworksFunctionTest {

    @InjectReceiver
    WebhookReceiver receiver;

    @Test
    void listed_ranges_are_delivered_to_others_and_metadata_are_refused_and_configured_rotation_and_headers_apply() {
        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            String response = LambdaRuntime.invoke(Events.read("status-change.json"));

            // then: the loopback receiver lies in 127.0.0.0/8
            assertEquals("{\"batchItemFailures\":[]}", response);
            List<Received> all = receiver.requests("/all");
            assertEquals(1, all.size());
            Received request = all.get(0);
            Signatures.assertStandardWebhooksValid(request, ReceiverResource.ALL_SECRET);
            Signatures.assertStandardWebhooksValid(request, AllowedNetworksResource.OLD_SECRET);
            assertEquals(Signatures.freeScoutSignature(ReceiverResource.ALL_SECRET, request.body()),
                    request.header("x-freescout-signature"));
            assertTrue(List.of(AllowedNetworksResource.API_KEY).equals(request.headers().get("x-api-key")),
                    "X-Api-Key missing or changed (values not shown)");
            assertEquals(1, receiver.requests("/status-only").size());
            assertEquals(List.of(), receiver.requests("/overriding"));

            String text = logs.text();
            // first, so that no failure message below can print a leaked value
            AddressGuardFunctionTest.assertNoSecret(text);
            assertFalse(text.contains(AllowedNetworksResource.API_KEY), "a header value in the logs (not shown)");
            assertTrue(text.contains("to subscription ipv6-loopback rejected: host resolves to a loopback address "
                    + "0:0:0:0:0:0:0:1 (set WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS=true, or list its range in "
                    + "WEBHOOKS_DELIVERY_ALLOWED_NETWORKS, to allow)"), text);
            assertTrue(text.contains("to subscription metadata rejected: host resolves to the cloud metadata address "
                    + "169.254.169.254, which WEBHOOKS_DELIVERY_ALLOWED_NETWORKS never allows"), text);
            assertTrue(text.contains("Skipping subscription overriding: header Content-Length would override a header "
                    + "of the contract"), text);
            assertTrue(text.contains("deliveries: 3 delivered, 0 failed, 2 rejected"), text);
        }
    }
}
