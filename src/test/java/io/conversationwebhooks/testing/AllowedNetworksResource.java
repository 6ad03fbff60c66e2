package io.conversationwebhooks.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link ReceiverResource} with private networks refused but {@code 127.0.0.0/8} and {@code 169.254.0.0/16} listed in
 * {@code webhooks.delivery.allowed-networks}, and subscriptions that exercise the configuration form of
 * CONTRACT section 4:
 * <ul>
 * <li>{@code all} also has the previous secret {@link #OLD_SECRET} (expiring in a day) and the static header
 * {@code X-Api-Key: }{@link #API_KEY};</li>
 * <li>{@code ipv6-loopback} at {@code http://[::1]:9/hook}: loopback, but outside the listed ranges;</li>
 * <li>{@code metadata} at {@code http://169.254.169.254/latest/meta-data/}: inside a listed range, but a metadata
 * address;</li>
 * <li>{@code overriding}: a static {@code Content-Length} header, which breaks a rule of section 4.</li>
 * </ul>
 */
public class AllowedNetworksResource extends ReceiverResource {

    public static final String OLD_SECRET = "whsec_b2xkIHNlY3JldCBiZWZvcmUgdGhlIHJvdGF0aW9u";
    public static final String API_KEY = "key-8c1e55d0a2";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("webhooks.delivery.allow-private-networks", "false");
        config.put("webhooks.delivery.allowed-networks", "127.0.0.0/8, 169.254.0.0/16");
        config.put("webhooks.subscriptions[0].previous-secrets[0].secret", OLD_SECRET);
        config.put("webhooks.subscriptions[0].previous-secrets[0].expires-at",
                Long.toString(java.time.Instant.now().plusSeconds(86_400).getEpochSecond()));
        config.put("webhooks.subscriptions[0].headers.X-Api-Key", API_KEY);
        config.put("webhooks.subscriptions[5].id", "ipv6-loopback");
        config.put("webhooks.subscriptions[5].url", "http://[::1]:9/hook");
        config.put("webhooks.subscriptions[5].secret", ALL_SECRET);
        config.put("webhooks.subscriptions[6].id", "metadata");
        config.put("webhooks.subscriptions[6].url", "http://169.254.169.254/latest/meta-data/");
        config.put("webhooks.subscriptions[6].secret", ALL_SECRET);
        config.put("webhooks.subscriptions[7].id", "overriding");
        config.put("webhooks.subscriptions[7].url", "http://127.0.0.1:9/overriding");
        config.put("webhooks.subscriptions[7].secret", ALL_SECRET);
        config.put("webhooks.subscriptions[7].headers.Content-Length", API_KEY);
        return config;
    }
}
