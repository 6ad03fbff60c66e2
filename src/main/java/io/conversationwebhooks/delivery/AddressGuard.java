package io.conversationwebhooks.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;

/**
 * Keeps webhook requests away from the function's own network (CONTRACT section 6): a subscriber URL must be
 * absolute http(s), and unless private networks are allowed, every address its host resolves to must be public or lie
 * in one of the {@link AllowedNetworks} ({@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS}, CONTRACT section 2). The cloud
 * metadata and credential addresses ({@link #isCloudMetadata}) are refused whatever that list says.
 *
 * <p>Refused: unspecified ({@code 0.0.0.0/8}, {@code ::}), loopback ({@code 127/8}, {@code ::1}), private
 * ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}), carrier-grade NAT ({@code 100.64/10}), link-local
 * ({@code 169.254/16}, which holds the instance metadata service {@code 169.254.169.254}, and {@code fe80::/10}),
 * unique-local IPv6 ({@code fc00::/7}, which holds {@code fd00:ec2::254}), site-local IPv6, multicast, the IETF,
 * documentation and benchmarking ranges, {@code 240/4} and broadcast; IPv4-mapped and NAT64 IPv6 addresses are
 * judged by the IPv4 address they carry (<a href="https://www.iana.org/assignments/iana-ipv4-special-registry/">IANA
 * special-purpose registries</a>).
 *
 * <p>Two checks close the DNS-rebinding gap between them: {@link #check(String)} resolves the host before any
 * delivery (so a refused URL costs no connection), and {@link #verifyConnected(HttpClientRequest)} checks the address
 * the HTTP client actually connected to, before a byte of the request is sent, whatever DNS answered the client.
 */
public final class AddressGuard {

    /** Resolves a host name to all its addresses. */
    @FunctionalInterface
    public interface Resolver {
        /** @throws UnknownHostException when the name has no address now */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** What {@link #whyNoHost} may name in a refusal reason. */
    private static final Pattern NAMEABLE_HOST = Pattern.compile("[A-Za-z0-9._-]+");
    /** A port at the end of an authority: digits only, possibly none ({@code host:}). */
    private static final Pattern PORT = Pattern.compile(":[0-9]*$");

    /**
     * Reached by no allowed network: AWS's instance metadata service (IPv4, IPv6), ECS and EKS credential endpoints, as
     * address bytes. Bytes, not {@link InetAddress} objects: GraalVM's native image may fold this constant into the
     * image heap, where an {@link InetAddress} (initialised at run time) must not be.
     */
    private static final List<byte[]> CLOUD_METADATA = List.of(literal("169.254.169.254"),
            literal("fd00:ec2::254"), literal("169.254.170.2"), literal("169.254.170.23"), literal("fd00:ec2::23"));
    private static final String TO_ALLOW = " (set WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS=true, or list its range in "
            + "WEBHOOKS_DELIVERY_ALLOWED_NETWORKS, to allow)";

    private final boolean allowPrivateNetworks;
    private final AllowedNetworks allowedNetworks;
    private final Resolver resolver;

    /**
     * A guard with no allowed network.
     *
     * @param allowPrivateNetworks {@code WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS}: when true, only the URL syntax is
     *        checked
     * @param resolver the name resolver ({@link InetAddress#getAllByName} in production)
     */
    public AddressGuard(boolean allowPrivateNetworks, Resolver resolver) {
        this(allowPrivateNetworks, AllowedNetworks.NONE, resolver);
    }

    /**
     * @param allowPrivateNetworks {@code WEBHOOKS_DELIVERY_ALLOW_PRIVATE_NETWORKS}: when true, only the URL syntax is
     *        checked
     * @param allowedNetworks {@code WEBHOOKS_DELIVERY_ALLOWED_NETWORKS}: non-public ranges that may be reached all the
     *        same, cloud metadata addresses excepted
     * @param resolver the name resolver ({@link InetAddress#getAllByName} in production)
     */
    public AddressGuard(boolean allowPrivateNetworks, AllowedNetworks allowedNetworks, Resolver resolver) {
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.allowedNetworks = allowedNetworks;
        this.resolver = resolver;
    }

    /**
     * Judges a subscriber URL. Blocking: it may resolve the host name.
     *
     * @param url the subscription's URL as configured
     * @return {@link TargetCheck.Allowed}, {@link TargetCheck.Refused} or {@link TargetCheck.Unresolved}
     */
    public TargetCheck check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return new TargetCheck.Refused("malformed URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new TargetCheck.Refused("URL scheme is not http or https");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return new TargetCheck.Refused(whyNoHost(uri));
        }
        if (allowPrivateNetworks) {
            return new TargetCheck.Allowed(uri);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return new TargetCheck.Unresolved("host does not resolve");
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = refusal(address);
            if (refusal.isPresent()) {
                return new TargetCheck.Refused("host resolves to " + refusal.get());
            }
        }
        return new TargetCheck.Allowed(uri);
    }

    /**
     * Why {@link URI#getHost()} has no host for an http(s) URL. Either the URL has none, or its authority names one that
     * is not a host name by RFC 2396's grammar, which java.net.URI follows: most often one with {@code _}, which DNS
     * allows in labels but host names do not (RFC 952, RFC 1123). Such a URL is refused even when private networks are
     * allowed, because the functions' HTTP client cannot call it: the functions take the host from java.net.URI,
     * which has none ({@code ./replay.sh} refuses what the functions refuse).
     *
     * <p>The reason is logged and kept in the ledger, so it names the host only when what is left of the authority
     * without its userinfo and a numeric port is made of {@link #NAMEABLE_HOST letters, digits, '.', '_' and '-'}.
     * Anything else may be part of a password that the URL failed to delimit: in {@code https://svc:ab:cd/x@h/} the
     * authority is {@code svc:ab:cd}, the path starts at {@code /x}, and {@code svc:ab} is no host name to show.
     */
    private static String whyNoHost(URI uri) {
        String authority = uri.getRawAuthority();
        String host = authority == null ? "" : authority.substring(authority.lastIndexOf('@') + 1);
        host = PORT.matcher(host).replaceFirst("");
        if (host.isEmpty()) {
            return "URL has no host";
        }
        if (!NAMEABLE_HOST.matcher(host).matches()) {
            return "URL host is not a valid host name (RFC 1123); the HTTP client cannot call it";
        }
        if (host.contains("_")) {
            return "URL host " + host + " contains '_', which is not allowed in host names (RFC 1123); the HTTP "
                    + "client cannot call it";
        }
        return "URL host " + host + " is not a valid host name (RFC 1123); the HTTP client cannot call it";
    }

    /**
     * Checks the peer address of a request's connection, after the HTTP client connected and before it sends the
     * request; {@link VertxWebhookClient} calls it for every request. A non-public peer (unless private networks are
     * allowed, or it lies in an allowed network and is no cloud metadata address) gets its connection closed; the
     * caller must then not send the request.
     *
     * @param request a request whose connection is open and that is not sent yet
     * @return why the peer is refused, naming the address range and the address; empty when it passes
     */
    public Optional<String> verifyConnected(HttpClientRequest request) {
        if (allowPrivateNetworks) {
            return Optional.empty();
        }
        HttpConnection connection = request.connection();
        SocketAddress peer = connection == null ? null : connection.remoteAddress();
        String ip = peer == null ? null : peer.hostAddress();
        Optional<String> refusal;
        try {
            refusal = ip == null ? Optional.of("an unknown address") : refusal(InetAddress.getByName(ip));
        } catch (UnknownHostException e) {
            refusal = Optional.of("an unknown address " + ip);
        }
        if (refusal.isEmpty()) {
            return Optional.empty();
        }
        if (connection != null) {
            connection.close();
        }
        return Optional.of("connected to " + refusal.get());
    }

    /**
     * Why the address may not be reached: {@code a <range> address <ip> (set ... to allow)} for a non-public address
     * outside the allowed networks, or a sentence naming a cloud metadata address inside them; empty when it may be.
     */
    private Optional<String> refusal(InetAddress address) {
        Optional<String> range = nonPublicRange(address);
        if (range.isEmpty()) {
            return Optional.empty();
        }
        if (allowedNetworks.contains(address)) {
            if (!isCloudMetadata(address)) {
                return Optional.empty();
            }
            return Optional.of("the cloud metadata address " + address.getHostAddress()
                    + ", which WEBHOOKS_DELIVERY_ALLOWED_NETWORKS never allows");
        }
        return Optional.of("a " + range.get() + " address " + address.getHostAddress() + TO_ALLOW);
    }

    /**
     * Whether the address is one of the cloud's metadata or credential endpoints, which no allowed network opens:
     * {@code 169.254.169.254} and {@code fd00:ec2::254} (EC2 instance metadata,
     * <a href="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html">AWS</a>),
     * {@code 169.254.170.2} (ECS task credentials), {@code 169.254.170.23} and {@code fd00:ec2::23} (EKS Pod
     * Identity); IPv4-mapped and NAT64 forms included.
     */
    public static boolean isCloudMetadata(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && (isMappedOrCompatible(bytes) || isNat64(bytes))) {
            bytes = new byte[] { bytes[12], bytes[13], bytes[14], bytes[15] };
        }
        for (byte[] metadata : CLOUD_METADATA) {
            if (Arrays.equals(metadata, bytes)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] literal(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalStateException("not an IP address: " + address);
        }
        return bytes;
    }

    /**
     * @return the name of the non-public range the address is in, or empty for a public address
     */
    public static Optional<String> nonPublicRange(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return ipv4Range(bytes);
        }
        if (address instanceof Inet6Address) {
            return ipv6Range(bytes);
        }
        return Optional.empty();
    }

    private static Optional<String> ipv4Range(byte[] ip) {
        int a = ip[0] & 0xff;
        int b = ip[1] & 0xff;
        int c = ip[2] & 0xff;
        if (a == 0) {
            return Optional.of("unspecified");
        }
        if (a == 127) {
            return Optional.of("loopback");
        }
        if (a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168)) {
            return Optional.of("private");
        }
        if (a == 169 && b == 254) {
            return Optional.of("link-local");
        }
        if (a == 100 && b >= 64 && b <= 127) {
            return Optional.of("carrier-grade NAT");
        }
        if (a == 192 && b == 0 && (c == 0 || c == 2)) {
            return Optional.of("reserved");
        }
        if ((a == 198 && (b == 18 || b == 19)) || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113)) {
            return Optional.of("reserved");
        }
        if (a >= 224) {
            return Optional.of(a < 240 ? "multicast" : "reserved");
        }
        return Optional.empty();
    }

    private static Optional<String> ipv6Range(byte[] ip) {
        int first = ip[0] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return Optional.of("unique-local");
        }
        if (first == 0x20 && (ip[1] & 0xff) == 0x01 && (ip[2] & 0xff) == 0x0d && (ip[3] & 0xff) == 0xb8) {
            return Optional.of("documentation");
        }
        if (isNat64(ip) || isMappedOrCompatible(ip)) {
            byte[] v4 = { ip[12], ip[13], ip[14], ip[15] };
            try {
                return nonPublicRange(InetAddress.getByAddress(v4));
            } catch (UnknownHostException e) {
                return Optional.of("reserved");
            }
        }
        return Optional.empty();
    }

    /** {@code 64:ff9b::/96}, the NAT64 well-known prefix (RFC 6052). */
    private static boolean isNat64(byte[] ip) {
        return ip[0] == 0x00 && (ip[1] & 0xff) == 0x64 && (ip[2] & 0xff) == 0xff && (ip[3] & 0xff) == 0x9b
                && allZero(ip, 4, 12);
    }

    /** {@code ::ffff:a.b.c.d} (IPv4-mapped) or {@code ::a.b.c.d} (IPv4-compatible, deprecated). */
    private static boolean isMappedOrCompatible(byte[] ip) {
        return allZero(ip, 0, 10) && (((ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff)
                || ((ip[10] & 0xff) == 0 && (ip[11] & 0xff) == 0));
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
