package io.conversationwebhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.conversationwebhooks.testing.CapturedLogs;
import io.conversationwebhooks.testing.Events;
import io.conversationwebhooks.testing.InjectReceiver;
import io.conversationwebhooks.testing.LambdaRuntime;
import io.conversationwebhooks.testing.PrivateNetworksRefusedResource;
import io.conversationwebhooks.testing.ReceiverResource;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * With {@code WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS} at its default (false), no request reaches a loopback,
 * link-local (metadata) or malformed target, and such deliveries neither fail the record nor leak secrets to logs.
 */
@QuarkusTest
@QuarkusTestResource(value = PrivateNetworksRefusedResource.class, restrictToAnnotatedClass = true)
class AddressGuardFunctionTest {

    @InjectReceiver
    WebhookReceiver receiver;

    @Test
    void refused_targets_get_no_request_and_do_not_fail_the_record() {
        try (CapturedLogs logs = CapturedLogs.capture()) {
            // when
            String response = LambdaRuntime.invoke(Events.read("status-change.json"));

            // then
            assertEquals("{\"batchItemFailures\":[]}", response);
            assertEquals(List.of(), receiver.requests());
            String text = logs.text();
            for (String id : List.of("all", "status-only", "mailbox-1", "metadata", "malformed")) {
                assertTrue(text.contains("to subscription " + id + " rejected"), "WARN for " + id + " in:\n" + text);
            }
            assertTrue(text.contains("loopback address 127.0.0.1"), text);
            assertTrue(text.contains("link-local address 169.254.169.254"), text);
            assertTrue(text.contains("malformed URL"), text);
            assertTrue(text.contains("deliveries: 0 delivered, 0 failed, 5 rejected"), text);
            assertNoSecret(text);
        }
    }

    static void assertNoSecret(String text) {
        assertFalse(text.contains(ReceiverResource.ALL_SECRET), "secret in logs");
        assertFalse(text.contains(ReceiverResource.ALL_SECRET.substring("whsec_".length())), "secret key in logs");
        assertFalse(text.contains(ReceiverResource.PLAIN_SECRET), "plain secret in logs");
        assertFalse(text.contains("v1,"), "a signature in logs");
    }
}
