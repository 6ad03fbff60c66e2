package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CIDR ranges of {@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS}; address literals only, no DNS. */
class AllowedNetworksTest {

    private static final AllowedNetworks VPC = AllowedNetworks.parse(" 10.20.0.0/16 , fd12:3456:789a::/48,192.168.7.9,"
            + "172.16.0.0/13, ::ffff:100.64.0.0/106");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.20.0.0, true", "10.20.255.255, true", "10.19.255.255, false", "10.21.0.0, false",
            "fd12:3456:789a::1, true", "fd12:3456:789a:ffff:ffff:ffff:ffff:ffff, true", "fd12:3456:789b::1, false",
            "192.168.7.9, true", "192.168.7.10, false",
            "172.23.255.255, true", "172.24.0.0, false",
            "100.64.0.1, true", "100.128.0.1, false",
            "::ffff:10.20.1.1, true", "::a14:101, false" })
    void should_match_addresses_inside_a_range_only(String address, boolean inside) throws UnknownHostException {
        assertEquals(inside, VPC.contains(InetAddress.getByName(address)));
    }

    @Test
    void should_match_nothing_when_empty() throws UnknownHostException {
        AllowedNetworks none = AllowedNetworks.parse(" , ");

        assertEquals(true, none.isEmpty());
        assertEquals(false, none.contains(InetAddress.getByName("10.0.0.1")));
        assertEquals(true, AllowedNetworks.parse(List.of("0.0.0.0/0")).contains(InetAddress.getByName("10.0.0.1")));
        assertEquals(false, AllowedNetworks.parse(List.of("0.0.0.0/0")).contains(InetAddress.getByName("fd00::1")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/33        | allowed network '10.0.0.0/33' has a prefix length outside 0-32
            fd00::/129         | allowed network 'fd00::/129' has a prefix length outside 0-128
            10.0.0.0/-1        | allowed network '10.0.0.0/-1' has a prefix length outside 0-32
            10.0.0.0/x         | allowed network '10.0.0.0/x' has a prefix length outside 0-32
            10.0.0.1/8         | allowed network '10.0.0.1/8' has address bits set beyond its prefix length; write the network address
            vpc.internal/16    | allowed network 'vpc.internal/16' is not an IPv4 or IPv6 address with a prefix length (e.g. 10.0.0.0/16, fd00:1::/64)
            10.0.0/16          | allowed network '10.0.0/16' is not an IPv4 or IPv6 address with a prefix length (e.g. 10.0.0.0/16, fd00:1::/64)
            ::ffff:10.0.0.0/64 | allowed network '::ffff:10.0.0.0/64' is an IPv4-mapped range shorter than /96; write it as an IPv4 range
            fe80::1%eth0/64    | allowed network 'fe80::1%eth0/64' is not an IPv4 or IPv6 address with a prefix length (e.g. 10.0.0.0/16, fd00:1::/64)
            """)
    void should_refuse_an_entry_that_is_not_a_cidr_range_by_name(String cidr, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> AllowedNetworks.parse(List.of("10.1.0.0/16", cidr))).getMessage());
    }
}
