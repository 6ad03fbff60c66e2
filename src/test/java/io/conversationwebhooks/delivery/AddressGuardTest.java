package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address literals only: every address is built with InetAddress.getByName on a literal, so no DNS is asked. */
class AddressGuardTest {

    private static final String URL = "https://hooks.example.net/freescout";

    /** A resolver the test must not reach. */
    private static final AddressGuard.Resolver NEVER = host -> {
        throw new AssertionError("the resolver was called for " + host);
    };

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "127.0.0.1, loopback",
            "127.255.0.9, loopback",
            "::1, loopback",
            "10.0.0.1, private",
            "172.16.0.1, private",
            "172.31.255.254, private",
            "192.168.1.10, private",
            "169.254.169.254, link-local",
            "fe80::1, link-local",
            "fd00:ec2::254, unique-local",
            "fc00::1, unique-local",
            "0.0.0.0, unspecified",
            "::, unspecified",
            "100.64.0.1, carrier-grade NAT",
            "100.127.255.254, carrier-grade NAT",
            "::ffff:127.0.0.1, loopback",
            "::ffff:169.254.169.254, link-local",
            "64:ff9b::a00:1, private",
            "64:ff9b::a9fe:a9fe, link-local",
            "224.0.0.1, multicast",
            "ff02::1, multicast",
            "255.255.255.255, reserved" })
    void should_refuse_a_host_resolving_to_a_non_public_address(String address, String range) {
        // given
        AddressGuard guard = new AddressGuard(false, resolvingTo(address));

        // when
        TargetCheck check = guard.check(URL);

        // then
        TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, check);
        assertTrue(refused.reason().startsWith("host resolves to a " + range + " address "), refused.reason());
    }

    @Test
    void should_judge_an_IPv4_mapped_IPv6_address_by_the_IPv4_address_it_carries() {
        // getByName("::ffff:127.0.0.1") already answers an Inet4Address; a resolver may still hand out the
        // Inet6Address form, which Java does not count as loopback
        byte[] mapped = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1 };
        InetAddress address = uncheckedInet6(mapped);
        assertInstanceOf(Inet6Address.class, address);

        assertEquals(Optional.of("loopback"), AddressGuard.nonPublicRange(address));
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.216.34", "2606:4700::1111", "8.8.8.8", "172.15.255.255", "172.32.0.1",
            "100.63.255.255", "100.128.0.1", "192.169.0.1", "169.255.0.1", "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822" })
    void should_allow_a_host_resolving_to_a_public_address(String address) {
        AddressGuard guard = new AddressGuard(false, resolvingTo(address));

        TargetCheck check = guard.check(URL);

        TargetCheck.Allowed allowed = assertInstanceOf(TargetCheck.Allowed.class, check);
        assertEquals(URI.create(URL), allowed.uri());
    }

    @Test
    void should_refuse_a_host_resolving_to_one_public_and_one_private_address() {
        AddressGuard guard = new AddressGuard(false, resolvingTo("93.184.216.34", "10.1.2.3"));

        TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, guard.check(URL));

        assertTrue(refused.reason().contains("10.1.2.3"), refused.reason());
    }

    @Test
    void should_resolve_the_host_of_the_url_only() {
        List<String> asked = new ArrayList<>();
        AddressGuard guard = new AddressGuard(false, host -> {
            asked.add(host);
            return new InetAddress[] { literal("93.184.216.34") };
        });

        guard.check("https://user@hooks.example.net:8443/freescout?x=1#f");

        assertEquals(List.of("hooks.example.net"), asked);
    }

    @Test
    void should_resolve_an_IPv6_literal_url_without_its_brackets() {
        List<String> asked = new ArrayList<>();
        AddressGuard guard = new AddressGuard(false, host -> {
            asked.add(host);
            return new InetAddress[] { literal(host) };
        });

        TargetCheck check = guard.check("http://[::1]:8080/hook");

        assertEquals(List.of("::1"), asked);
        assertInstanceOf(TargetCheck.Refused.class, check);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://exa mple.com/hook        | malformed URL
            ftp://hooks.example.net/hook    | URL scheme is not http or https
            file:///etc/passwd              | URL scheme is not http or https
            hooks.example.net/hook          | URL scheme is not http or https
            http:///hook                    | URL has no host
            https://                        | malformed URL
            """)
    void should_refuse_a_url_it_cannot_call_without_resolving_anything(String url, String reason) {
        AddressGuard guard = new AddressGuard(false, NEVER);

        TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, guard.check(url));

        assertEquals(reason, refused.reason());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            https://hooks_1.example.net/freescout                       | URL host hooks_1.example.net contains '_', which is not allowed in host names (RFC 1123); the HTTP client cannot call it
            https://crm:s3cr3t-pw@my_hooks.example.net:8443/hook?t=x    | URL host my_hooks.example.net contains '_', which is not allowed in host names (RFC 1123); the HTTP client cannot call it
            http://hooks.example.123/hook                               | URL host hooks.example.123 is not a valid host name (RFC 1123); the HTTP client cannot call it
            http://crm@:8080/hook                                       | URL has no host
            """)
    void should_name_the_host_that_java_net_uri_cannot_parse_and_never_its_userinfo(String url, String reason) {
        for (boolean allowPrivateNetworks : new boolean[] { false, true }) {
            AddressGuard guard = new AddressGuard(allowPrivateNetworks, NEVER);

            TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, guard.check(url));

            assertEquals(reason, refused.reason());
            assertFalse(refused.reason().contains("s3cr3t") || refused.reason().contains("crm"), refused.reason());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            https://svc:ab:cd/x@hooks_1.example/          | ab | cd
            https://svc:pw:s3cr3t!/x@hooks_1.example/     | pw | s3cr3t
            https://svc:s3cr3t-pw/x@hooks_1.example/hook  | s3cr3t | pw
            """)
    void should_not_name_a_host_that_may_hold_part_of_a_password(String url, String secret, String otherSecret) {
        // given: a password with ':' or '/' the URL does not delimit, so the authority ends inside it
        assertEquals(null, URI.create(url).getHost(), "java.net.URI finds no host in " + url);

        for (boolean allowPrivateNetworks : new boolean[] { false, true }) {
            AddressGuard guard = new AddressGuard(allowPrivateNetworks, NEVER);

            // when
            TargetCheck.Refused refused = assertInstanceOf(TargetCheck.Refused.class, guard.check(url));

            // then
            assertEquals("URL host is not a valid host name (RFC 1123); the HTTP client cannot call it", refused.reason());
            assertFalse(refused.reason().contains(secret) || refused.reason().contains(otherSecret),
                    "a part of the password is in the reason");
        }
    }

    @Test
    void should_report_a_host_that_does_not_resolve_as_unresolved() {
        AddressGuard guard = new AddressGuard(false, host -> {
            throw new UnknownHostException(host);
        });

        TargetCheck check = guard.check(URL);

        assertEquals(new TargetCheck.Unresolved("host does not resolve"), check);
    }

    @Test
    void should_allow_a_loopback_url_without_resolving_when_private_networks_are_allowed() {
        AddressGuard guard = new AddressGuard(true, NEVER);

        TargetCheck check = guard.check("http://127.0.0.1:8080/hook");

        assertEquals(new TargetCheck.Allowed(URI.create("http://127.0.0.1:8080/hook")), check);
    }

    @Test
    void should_still_refuse_a_non_http_url_when_private_networks_are_allowed() {
        AddressGuard guard = new AddressGuard(true, NEVER);

        assertInstanceOf(TargetCheck.Refused.class, guard.check("ftp://127.0.0.1/hook"));
    }

    private static AddressGuard.Resolver resolvingTo(String... addresses) {
        return host -> {
            InetAddress[] resolved = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                resolved[i] = literal(addresses[i]);
            }
            return resolved;
        };
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + address, e);
        }
    }

    private static InetAddress uncheckedInet6(byte[] bytes) {
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
