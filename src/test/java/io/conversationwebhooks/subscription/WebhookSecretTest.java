package io.conversationwebhooks.subscription;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSecretTest {

    @ParameterizedTest
    @ValueSource(strings = { "freescout-shared-secret", "whsec_Y29udmVyc2F0aW9uLXdlYmhvb2tzIHRlc3Qga2V5ISE=" })
    void toString_never_shows_the_secret_or_its_key(String secret) {
        String text = WebhookSecret.of(secret).toString();

        assertFalse(text.contains(secret), text);
        assertFalse(text.contains("Y29udmVy"), text);
        assertFalse(text.contains("conversation-webhooks"), text);
    }

    @Test
    void should_use_the_UTF8_bytes_of_a_plain_secret_for_both_keys() {
        WebhookSecret secret = WebhookSecret.of("p\u00e4ssword");

        assertArrayEquals(new byte[] { 'p', (byte) 0xc3, (byte) 0xa4, 's', 's', 'w', 'o', 'r', 'd' },
                secret.freeScoutKey());
        assertArrayEquals(secret.freeScoutKey(), secret.standardWebhooksKey());
    }

    @Test
    void should_decode_the_remainder_of_a_whsec_secret_for_Standard_Webhooks_only() {
        String text = "whsec_" + Base64.getEncoder().encodeToString("raw key bytes".getBytes(UTF_8));

        WebhookSecret secret = WebhookSecret.of(text);

        assertArrayEquals("raw key bytes".getBytes(UTF_8), secret.standardWebhooksKey());
        assertArrayEquals(text.getBytes(UTF_8), secret.freeScoutKey());
    }

    @Test
    void should_hand_out_copies_of_the_keys() {
        WebhookSecret secret = WebhookSecret.of("freescout-shared-secret");

        secret.freeScoutKey()[0] = 'X';
        secret.standardWebhooksKey()[0] = 'X';

        assertEquals('f', secret.freeScoutKey()[0]);
        assertEquals('f', secret.standardWebhooksKey()[0]);
    }

    @Test
    void should_refuse_a_whsec_secret_whose_remainder_is_not_base64_without_showing_it() {
        String secret = "whsec_not*base64*TopSecretValue";

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> WebhookSecret.of(secret));

        assertEquals("secret starts with whsec_ but the rest is not base64", error.getMessage());
        assertFalse(error.getMessage().contains("TopSecretValue"));
        assertFalse(String.valueOf(error.getCause()).contains("TopSecretValue"));
    }

    @Test
    void should_refuse_an_empty_secret() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> WebhookSecret.of(""));

        assertEquals("secret is empty", error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WebhookSecret.of(null));
    }

    @Test
    void should_refuse_a_whsec_secret_with_an_empty_key_saying_so() {
        // "" is valid base64 (of no bytes), so "not base64" would send the operator the wrong way
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> WebhookSecret.of("whsec_"));

        assertEquals("secret has an empty key after whsec_", error.getMessage());
    }
}
