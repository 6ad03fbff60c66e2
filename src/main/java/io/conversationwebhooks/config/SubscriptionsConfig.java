package io.conversationwebhooks.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * Where subscriptions come from (CONTRACT sections 2 and 4): the DynamoDB table named by
 * {@code WEBHOOKS_SUBSCRIPTIONS_TABLE}, or, when it is unset, the {@code webhooks.subscriptions[n].*} entries. Its keys sit directly under
 * {@code webhooks.}, a group of {@link WebhooksConfig}.
 */
public interface SubscriptionsConfig {

    /** Name of the subscriptions table; empty means subscriptions come from {@link #subscriptions()}. */
    Optional<String> subscriptionsTable();

    /** How long a container reuses the subscriptions it read from the table. */
    @WithDefault("60s")
    Duration subscriptionsCacheTtl();

    /** Subscriptions given in configuration, used only when no table is configured. */
    List<Entry> subscriptions();

    /** One configured subscription; the same fields as an item of the subscriptions table. */
    interface Entry {

        /** Subscription id, used in logs. */
        String id();

        /** Where to POST. */
        String url();

        /** Event names to receive ({@code convo.status}, ...); empty means all. */
        Optional<List<String>> events();

        /** Mailbox ids to receive; empty means all. */
        Optional<List<String>> mailboxes();

        /** Signing secret: {@code whsec_<base64>} or any other string. */
        String secret();

        /**
         * Secrets being rotated out ({@code webhooks.subscriptions[n].previous-secrets[m].secret} and
         * {@code .expires-at}); each still signs until it expires.
         */
        List<PreviousSecret> previousSecrets();

        /**
         * Static headers added to every request, name to value ({@code webhooks.subscriptions[n].headers."X-Api-Key"});
         * none by default.
         */
        Map<String, String> headers();

        /** Disabled subscriptions receive nothing. */
        @WithDefault("true")
        boolean enabled();
    }

    /** A secret being rotated out; the same fields as an element of the table's {@code previousSecrets}. */
    interface PreviousSecret {

        /** The old secret. */
        String secret();

        /** When it stops signing, in epoch seconds. */
        long expiresAt();
    }
}
