package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.conversationwebhooks.testing.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * {@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS} (CONTRACT sections 2 and 6): a non-public address inside a listed range is
 * reached, one outside is refused, a cloud metadata address is refused whatever the list says; checked on the
 * resolved addresses and on the connected peer, the latter with real connections to a receiver on 127.0.0.1.
 */
@QuarkusTest
class AllowedNetworksGuardTest {

    private static final String URL = "https://hooks.vpc.internal/freescout";

    @Inject
    DeliveryConfig config;

    @Inject
    Vertx vertx;

    private WebhookReceiver receiver;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', textBlock = """
            10.20.3.4       | 10.20.0.0/16
            172.31.0.9      | 10.20.0.0/16, 172.16.0.0/12
            fd12:3456::7    | fd12:3456::/32
            127.0.0.1       | 127.0.0.0/8
            100.64.1.1      | 100.64.0.0/10
            """)
    void should_allow_a_host_resolving_into_a_listed_range(String address, String networks) {
        AddressGuard guard = new AddressGuard(false, AllowedNetworks.parse(networks), resolvingTo(address));

        assertEquals(new TargetCheck.Allowed(URI.create(URL)), guard.check(URL));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', textBlock = """
            10.21.0.1       | 10.20.0.0/16                  | private
            fd12:3457::7    | fd12:3456::/32                | unique-local
            192.168.1.1     | 10.0.0.0/8, fd00::/8          | private
            ::1             | 127.0.0.0/8                   | loopback
            """)
    void should_refuse_a_host_resolving_outside_every_listed_range(String address, String networks, String range)
            throws UnknownHostException {
        AddressGuard guard = new AddressGuard(false, AllowedNetworks.parse(networks), resolvingTo(address));

        TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, guard.check(URL));

        assertEquals("host resolves to a " + range + " address " + InetAddress.getByName(address).getHostAddress()
                + " (set WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS=true, or list its range in "
                + "WEBHOOKS_DELIVERY_ALLOWED_NETWORKS, to allow)", refused.reason());
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', textBlock = """
            169.254.169.254         | 169.254.0.0/16                        | 169.254.169.254
            169.254.169.254         | 169.254.169.254/32                    | 169.254.169.254
            169.254.169.254         | 0.0.0.0/0                             | 169.254.169.254
            fd00:ec2::254           | fd00::/8                              | fd00:ec2:0:0:0:0:0:254
            fd00:ec2::254           | fd00:ec2::254/128, 10.0.0.0/8         | fd00:ec2:0:0:0:0:0:254
            ::ffff:169.254.169.254  | ::ffff:169.254.0.0/112                | 169.254.169.254
            169.254.170.2           | 169.254.170.0/24                      | 169.254.170.2
            fd00:ec2::23            | fd00:ec2::/32                         | fd00:ec2:0:0:0:0:0:23
            """)
    void should_refuse_a_cloud_metadata_address_whatever_the_list_says(String address, String networks, String shown) {
        AddressGuard guard = new AddressGuard(false, AllowedNetworks.parse(networks), resolvingTo(address));

        TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, guard.check(URL));

        assertEquals("host resolves to the cloud metadata address " + shown
                + ", which WEBHOOKS_DELIVERY_ALLOWED_NETWORKS never allows", refused.reason());
    }

    @Test
    void should_deliver_when_the_connected_peer_lies_in_a_listed_range() {
        // given: private networks are not allowed, but 127.0.0.0/8 is listed; the client connects to 127.0.0.1
        AddressGuard guard = new AddressGuard(false, AllowedNetworks.parse("127.0.0.0/8"), resolvingTo("127.0.0.1"));
        String url = receiver.url("/hook");

        // when
        DeliveryOutcome outcome = dispatch(guard, url);

        // then
        assertInstanceOf(DeliveryOutcome.Delivered.class, outcome);
        assertEquals(1, receiver.requests("/hook").size());
    }

    @Test
    void should_refuse_before_sending_when_the_connected_peer_lies_outside_every_listed_range() throws Exception {
        // given: the guard's lookup answers an address in the listed range, the client's lookup of "localhost"
        // 127.0.0.1, outside it (DNS rebinding)
        AddressGuard guard = new AddressGuard(false, AllowedNetworks.parse("10.20.0.0/16"), resolvingTo("10.20.0.5"));
        String url = receiver.url("/hook").replace("127.0.0.1", "localhost");
        assertInstanceOf(TargetCheck.Allowed.class, guard.check(url));

        // when
        DeliveryOutcome outcome = dispatch(guard, url);

        // then
        DeliveryOutcome.Rejected rejected = assertInstanceOf(DeliveryOutcome.Rejected.class, outcome);
        assertEquals("connected to a loopback address 127.0.0.1 (set WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS=true, or "
                + "list its range in WEBHOOKS_DELIVERY_ALLOWED_NETWORKS, to allow)", rejected.reason());
        Thread.sleep(200);
        assertEquals(List.of(), receiver.requests(), "no request reached the address outside the list");
    }

    @Test
    void should_start_only_with_a_valid_list_in_configuration() {
        assertTrue(config.allowedNetworks().isEmpty(), "none by default");
    }

    private DeliveryOutcome dispatch(AddressGuard guard, String url) {
        WebhookDispatcher dispatcher = new WebhookDispatcher(WebhookClientProducer.build(vertx, config, guard), guard,
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(20), RetryPolicy.THREAD_LOCAL_RANDOM),
                Duration.ofSeconds(3), Clock.systemUTC());
        Subscription subscription = new Subscription("vpc", url, Set.of(), Set.of(), WebhookSecret.of("plain"), true);
        WebhookRequest request = new WebhookRequest("msg_0123456789abcdef0123456789abcdef", ConversationEvent.STATUS,
                subscription, "{\"id\":1}".getBytes(StandardCharsets.UTF_8));
        return dispatcher.dispatch(request, guard.check(url), Instant.now().plusSeconds(10))
                .await().atMost(Duration.ofSeconds(10));
    }

    private static AddressGuard.Resolver resolvingTo(String... addresses) {
        return host -> {
            InetAddress[] resolved = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                resolved[i] = InetAddress.getByName(addresses[i]);
            }
            return resolved;
        };
    }
}
