package io.conversationwebhooks.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a {@link WebhookReceiver} and configures four subscriptions on it (no subscriptions table):
 * <ul>
 * <li>{@code all} at {@code /all}: every event, every mailbox, secret {@link #ALL_SECRET} (Standard Webhooks
 * {@code whsec_} form);</li>
 * <li>{@code status-only} at {@code /status-only}: only {@code convo.status}, plain secret {@link #PLAIN_SECRET};</li>
 * <li>{@code mailbox-2} at {@code /mailbox-2}: only mailbox 2;</li>
 * <li>{@code disabled} at {@code /disabled}: disabled;</li>
 * <li>{@code mailbox-1} at {@code /mailbox-1}: only mailbox 1.</li>
 * </ul>
 * Private networks are allowed (the receiver is on loopback) and retries are fast.
 */
public class ReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final String ALL_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public static final String PLAIN_SECRET = "plain secret with ü";

    private WebhookReceiver receiver;

    @Override
    public Map<String, String> start() {
        receiver = WebhookReceiver.start();
        Map<String, String> config = new HashMap<>();
        subscription(config, 0, "all", "/all", ALL_SECRET);
        subscription(config, 1, "status-only", "/status-only", PLAIN_SECRET);
        config.put("webhooks.subscriptions[1].events", "convo.status");
        subscription(config, 2, "mailbox-2", "/mailbox-2", ALL_SECRET);
        config.put("webhooks.subscriptions[2].mailboxes", "2");
        subscription(config, 3, "disabled", "/disabled", ALL_SECRET);
        config.put("webhooks.subscriptions[3].enabled", "false");
        subscription(config, 4, "mailbox-1", "/mailbox-1", ALL_SECRET);
        config.put("webhooks.subscriptions[4].mailboxes", "1");
        config.put("webhooks.delivery.allow-private-networks", "true");
        config.put("webhooks.delivery.initial-backoff", "20ms");
        config.put("webhooks.delivery.max-backoff", "100ms");
        config.put("webhooks.delivery.timeout", "5s");
        return config;
    }

    private void subscription(Map<String, String> config, int index, String id, String path, String secret) {
        String prefix = "webhooks.subscriptions[" + index + "].";
        config.put(prefix + "id", id);
        config.put(prefix + "url", receiver.url(path));
        config.put(prefix + "secret", secret);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(receiver,
                new TestInjector.AnnotatedAndMatchesType(InjectReceiver.class, WebhookReceiver.class));
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }
}
