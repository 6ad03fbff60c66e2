package io.conversationwebhooks.delivery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.util.NetUtil;

/**
 * The non-public ranges an operator lets subscriber URLs reach ({@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS}, CONTRACT
 * sections 2 and 6), e.g. the VPC's CIDR. IPv4 and IPv6 ranges in CIDR notation
 * (<a href="https://www.rfc-editor.org/rfc/rfc4632#section-3.1">RFC 4632 section 3.1</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc4291#section-2.3">RFC 4291 section 2.3</a>): {@code 10.0.0.0/16},
 * {@code fd12:3456:789a::/48}. An IPv4 range matches IPv4 addresses only, an IPv6 range IPv6 addresses only (an
 * IPv4-mapped IPv6 address is an IPv4 address to Java). Immutable.
 */
public final class AllowedNetworks {

    /** No range: only public addresses are reached. */
    public static final AllowedNetworks NONE = new AllowedNetworks(List.of());

    /** One range: the network's address bytes (host bits zero) and the prefix length in bits. */
    private record Range(byte[] network, int prefix, String text) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefix / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int restBits = prefix % 8;
            if (restBits == 0) {
                return true;
            }
            int mask = (0xff << (8 - restBits)) & 0xff;
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }

    private final List<Range> ranges;

    private AllowedNetworks(List<Range> ranges) {
        this.ranges = ranges;
    }

    /**
     * Parses the ranges; blanks around and between entries are ignored.
     *
     * @param cidrs entries like {@code 10.0.0.0/16} or {@code fd00:1::/64}; an address without {@code /} is a range of
     *        one address
     * @return the ranges
     * @throws IllegalArgumentException naming the entry that is not an IP literal with a prefix length in range (0-32
     *         for IPv4, 0-128 for IPv6), or whose address has bits set beyond the prefix
     */
    public static AllowedNetworks parse(List<String> cidrs) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : cidrs) {
            String cidr = entry.trim();
            if (!cidr.isEmpty()) {
                ranges.add(range(cidr));
            }
        }
        return new AllowedNetworks(List.copyOf(ranges));
    }

    /**
     * Parses a comma-separated list, as {@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS} holds it.
     *
     * @see #parse(List)
     */
    public static AllowedNetworks parse(String commaSeparated) {
        return parse(Arrays.asList(commaSeparated.split(",")));
    }

    private static Range range(String cidr) {
        int slash = cidr.indexOf('/');
        String host = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] network = NetUtil.createByteArrayFromIpAddressString(host);
        if (network == null || host.indexOf('%') >= 0) {
            throw new IllegalArgumentException("allowed network '" + cidr + "' is not an IPv4 or IPv6 address with a "
                    + "prefix length (e.g. 10.0.0.0/16, fd00:1::/64)");
        }
        int bits = network.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("allowed network '" + cidr + "' has a prefix length outside 0-" + bits);
        }
        byte[] ipv4 = ipv4Mapped(network);
        if (ipv4 != null) {
            // Java resolves ::ffff:a.b.c.d to the IPv4 address a.b.c.d, so the range is the IPv4 range it maps
            if (prefix < 96) {
                throw new IllegalArgumentException("allowed network '" + cidr + "' is an IPv4-mapped range shorter than "
                        + "/96; write it as an IPv4 range");
            }
            network = ipv4;
            prefix -= 96;
            bits = 32;
        }
        Range range = new Range(network, prefix, cidr);
        byte[] masked = network.clone();
        for (int bit = prefix; bit < bits; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        if (!Arrays.equals(masked, network)) {
            throw new IllegalArgumentException("allowed network '" + cidr + "' has address bits set beyond its prefix "
                    + "length; write the network address");
        }
        return range;
    }

    /** The IPv4 address an IPv4-mapped IPv6 literal ({@code ::ffff:a.b.c.d}) carries; null for any other. */
    private static byte[] ipv4Mapped(byte[] address) {
        if (address.length != 16 || (address[10] & 0xff) != 0xff || (address[11] & 0xff) != 0xff) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return null;
            }
        }
        return new byte[] { address[12], address[13], address[14], address[15] };
    }

    /** Whether the address lies in one of the ranges. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** Whether no range is given. */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::text).toList().toString();
    }
}
