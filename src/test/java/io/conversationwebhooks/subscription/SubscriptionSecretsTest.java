package io.conversationwebhooks.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which secrets sign an attempt during a rotation (CONTRACT section 6). */
class SubscriptionSecretsTest {

    private static final Instant EXPIRES = Instant.parse("2026-12-01T12:00:00Z");
    private static final WebhookSecret CURRENT = WebhookSecret.of("whsec_Y3VycmVudCBzZWNyZXQ=");
    private static final WebhookSecret OLDER = WebhookSecret.of("whsec_b2xkZXIgc2VjcmV0");
    private static final WebhookSecret OLDEST = WebhookSecret.of("oldest plain secret");

    private final Subscription rotating = new Subscription("crm", "https://crm.example.com/hook", Set.of(), Set.of(),
            CURRENT, List.of(new PreviousSecret(OLDER, EXPIRES), new PreviousSecret(OLDEST, EXPIRES.minusSeconds(3600))),
            Map.of("Authorization", "Bearer tok-3f9a7c"), true);

    @Test
    void the_current_secret_comes_first_then_each_previous_one_not_yet_expired_in_stored_order() {
        List<WebhookSecret> secrets = rotating.secretsValidAt(EXPIRES.minusSeconds(7200));

        assertEquals(3, secrets.size());
        assertSame(CURRENT, secrets.get(0));
        assertSame(OLDER, secrets.get(1));
        assertSame(OLDEST, secrets.get(2));
    }

    @Test
    void a_previous_secret_signs_until_the_second_before_it_expires_and_not_from_then_on() {
        assertEquals(List.of(CURRENT, OLDER), rotating.secretsValidAt(EXPIRES.minusMillis(1)));
        assertEquals(List.of(CURRENT), rotating.secretsValidAt(EXPIRES));
        assertEquals(List.of(CURRENT), rotating.secretsValidAt(EXPIRES.plusSeconds(86_400)));
    }

    @Test
    void without_previous_secrets_only_the_current_one_signs() {
        Subscription plain = new Subscription("plain", "https://example.com/", Set.of(), Set.of(), CURRENT, true);

        assertEquals(List.of(CURRENT), plain.secretsValidAt(Instant.EPOCH));
        assertEquals(Map.of(), plain.headers());
    }

    @Test
    void its_string_form_shows_header_names_but_no_value_or_secret() {
        String text = rotating.toString();

        assertTrue(text.contains("headers=[Authorization]"), text);
        assertTrue(text.contains("previousSecrets=2"), text);
        assertFalse(text.contains("tok-3f9a7c"), text);
        assertFalse(text.contains("Y3VycmVudCBzZWNyZXQ") || text.contains("b2xkZXIgc2VjcmV0") || text.contains("oldest"),
                text);
    }
}
