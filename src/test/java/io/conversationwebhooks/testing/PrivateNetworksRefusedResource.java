package io.conversationwebhooks.testing;

import java.util.Map;

/** {@link ReceiverResource} with the default address guard: private networks (the loopback receiver) refused. */
public class PrivateNetworksRefusedResource extends ReceiverResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new java.util.HashMap<>(super.start());
        config.put("webhooks.delivery.allow-private-networks", "false");
        config.put("webhooks.subscriptions[5].id", "metadata");
        config.put("webhooks.subscriptions[5].url", "http://169.254.169.254/latest/meta-data/");
        config.put("webhooks.subscriptions[5].secret", ALL_SECRET);
        config.put("webhooks.subscriptions[6].id", "malformed");
        config.put("webhooks.subscriptions[6].url", "http://exa mple.com/hook");
        config.put("webhooks.subscriptions[6].secret", ALL_SECRET);
        return config;
    }
}
