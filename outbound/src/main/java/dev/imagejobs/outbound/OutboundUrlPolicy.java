package dev.imagejobs.outbound;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides whether a URL someone else gave the services (an image URL a provider answered with, a
 * webhook URL a client registered) may be connected to, so that URL cannot make a service reach
 * into its own network (cloud metadata, loopback, private ranges): https only, no user info, an
 * optional host allow-list, and no resolved address in a local, private, translated or otherwise
 * special-purpose range. Tested by {@code OutboundUrlPolicyTest} with a fake resolver.
 *
 * <p>{@link #check} resolves the host to refuse a URL early; a client that resolves again when it
 * connects can be answered differently (DNS rebinding), so the connecting client must take its
 * addresses from {@link #connectableAddresses} alone, which resolves and checks them in one step, and
 * must not follow redirects. Error messages start with the policy's subject ("The artifact URL",
 * "The webhook URL") and name the scheme, host, port and path only: user info and query strings may
 * hold credentials or signatures and end up in logs and events.
 */
public final class OutboundUrlPolicy {

  /**
   * Resolves a host name (or literal address) to its addresses: the system resolver in production,
   * a fixed table in tests, so the address checks can be exercised without DNS.
   */
  @FunctionalInterface
  public interface Resolver {
    /**
     * @throws UnknownHostException when {@code host} has no address
     */
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /**
   * Ranges of the IANA special-purpose registries that no image host lives in and that the JDK's
   * own predicates (loopback, link-local, site-local, multicast, any-local) do not cover. The
   * translation prefixes (NAT64, 6to4, Teredo in 2001::/32) are refused whole: through a gateway
   * they reach IPv4 addresses, internal ones included, that this check would not see.
   */
  private static final List<SpecialRange> SPECIAL_RANGES = List.of(
      SpecialRange.of("any-local", "0.0.0.0", 8),
      SpecialRange.of("carrier-grade NAT", "100.64.0.0", 10),
      SpecialRange.of("IETF protocol assignments", "192.0.0.0", 24),
      SpecialRange.of("benchmarking", "198.18.0.0", 15),
      SpecialRange.of("reserved", "240.0.0.0", 4),
      SpecialRange.of("unique-local", "fc00::", 7),
      SpecialRange.of("NAT64", "64:ff9b::", 96),
      SpecialRange.of("local-use NAT64", "64:ff9b:1::", 48),
      SpecialRange.of("6to4", "2002::", 16),
      SpecialRange.of("benchmarking", "2001:2::", 48),
      SpecialRange.of("Teredo", "2001::", 32),
      SpecialRange.of("IETF protocol assignments", "2001::", 23));

  /** An address range in CIDR form with the name it is refused by. */
  private record SpecialRange(String name, byte[] prefix, int bits) {
    /** {@code literal} must be an address literal: it is parsed, never resolved. */
    static SpecialRange of(String kind, String literal, int bits) {
      byte[] prefix;
      try {
        prefix = InetAddress.getByName(literal).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("Not an address literal: " + literal, e);
      }
      return new SpecialRange(kind + " " + literal + "/" + bits, prefix, bits);
    }

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[whole] & mask) == (prefix[whole] & mask);
    }
  }

  private final String subject;
  private final boolean allowHttp;
  private final Set<String> allowedHosts;
  private final boolean allowPrivateAddresses;
  private final Resolver resolver;

  /**
   * A policy resolving hosts through the system resolver.
   *
   * @see #OutboundUrlPolicy(String, boolean, Set, boolean, Resolver)
   */
  public OutboundUrlPolicy(String subject, boolean allowHttp, Set<String> allowedHosts, boolean allowPrivateAddresses) {
    this(subject, allowHttp, allowedHosts, allowPrivateAddresses, InetAddress::getAllByName);
  }

  /**
   * @param subject what the URLs are, for messages ("The " + subject + " ..."), e.g. "artifact URL"
   * @param allowHttp whether plain http is accepted for any host (hosts in {@code allowedHosts} may always use it)
   * @param allowedHosts the only hosts connections may go to, compared case-insensitively; empty for any host
   * @param allowPrivateAddresses whether hosts may resolve to loopback, private and other internal
   *     addresses, e.g. for a stub or a receiver on the local network
   * @param resolver resolves a host to the addresses a connection would be made to
   */
  public OutboundUrlPolicy(String subject, boolean allowHttp, Set<String> allowedHosts, boolean allowPrivateAddresses,
      Resolver resolver) {
    this.subject = Objects.requireNonNull(subject, "subject");
    this.allowHttp = allowHttp;
    this.allowedHosts = allowedHosts.stream().map(OutboundUrlPolicy::normalizedHost)
        .collect(Collectors.toUnmodifiableSet());
    this.allowPrivateAddresses = allowPrivateAddresses;
    this.resolver = resolver;
  }

  /**
   * Refuses a URL that may not be connected to; resolves its host unless private addresses are allowed.
   *
   * @throws IllegalArgumentException saying why, when {@code url} may not be connected to
   */
  public void check(URI url) {
    if (url == null) {
      throw new IllegalArgumentException(prefix() + " is missing");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String rawHost = url.getHost();
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException(prefix() + " " + redacted(url) + " must use https");
    }
    if (rawHost == null || rawHost.isEmpty()) {
      throw new IllegalArgumentException(prefix() + " " + redacted(url) + " has no host");
    }
    String host = normalizedHost(rawHost);
    boolean listed = allowedHosts.contains(host);
    if (scheme.equals("http") && !allowHttp && !listed) {
      throw new IllegalArgumentException(prefix() + " " + redacted(url) + " must use https, not http");
    }
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(prefix() + " " + redacted(url) + " must not carry user info");
    }
    if (!allowedHosts.isEmpty() && !listed) {
      throw new IllegalArgumentException(prefix() + " host '" + host + "' is not one of the allowed hosts "
          + new TreeSet<>(allowedHosts));
    }
    if (!allowPrivateAddresses) {
      try {
        connectableAddresses(host);
      } catch (RefusedAddressException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(e.getMessage() != null && e.getMessage().startsWith(prefix())
            ? e.getMessage() : prefix() + " host '" + host + "' cannot be resolved", e);
      }
    }
  }

  /**
   * The addresses a connection to {@code host} may be made to: resolved once, each checked. A client
   * that connects only to these connects to checked addresses, whatever the name server answers
   * next time.
   *
   * @throws RefusedAddressException when the host resolves to an internal address
   * @throws UnknownHostException when it cannot be resolved
   */
  public InetAddress[] connectableAddresses(String host) throws UnknownHostException {
    String normalized = normalizedHost(host);
    InetAddress[] addresses = resolver.resolve(normalized);
    if (addresses == null || addresses.length == 0) {
      throw new UnknownHostException(prefix() + " host '" + normalized + "' resolves to no address");
    }
    if (!allowPrivateAddresses) {
      for (InetAddress address : addresses) {
        String range = internalRange(address);
        if (range != null) {
          throw new RefusedAddressException(prefix() + " host '" + normalized + "' resolves to "
              + address.getHostAddress() + ", an internal address (" + range + ")",
              prefix() + " host '" + normalized + "' resolves to an internal address (" + range + ")");
        }
      }
    }
    return addresses;
  }

  /**
   * A host that resolves to an address connections may not be made to. An {@link UnknownHostException},
   * so an HTTP client whose resolver throws it fails the exchange before connecting; callers tell it
   * from a plain lookup failure by its type.
   */
  public static final class RefusedAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    private final String withoutAddress;

    /**
     * @param message the reason with the address the host resolved to, for the service's own logs
     * @param withoutAddress the reason without it, for whoever gave the URL: the address comes
     *     from the service's own name servers, which may know internal names
     */
    public RefusedAddressException(String message, String withoutAddress) {
      super(message);
      this.withoutAddress = withoutAddress;
    }

    public String withoutAddress() {
      return withoutAddress;
    }
  }

  /** The name of the internal range {@code address} lies in, or {@code null} for a public address. */
  private static String internalRange(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet6Address) {
      InetAddress embedded = embeddedIpv4(bytes);
      if (embedded != null) {
        String range = internalRange(embedded);
        return range == null ? null : "IPv4-mapped " + range;
      }
    }
    for (SpecialRange range : SPECIAL_RANGES) {
      if (range.contains(bytes)) {
        return range.name();
      }
    }
    if (address.isAnyLocalAddress()) {
      return "any-local";
    }
    if (address.isLoopbackAddress()) {
      return "loopback";
    }
    if (address.isLinkLocalAddress()) {
      return "link-local";
    }
    if (address.isSiteLocalAddress()) {
      return "site-local";
    }
    if (address.isMulticastAddress()) {
      return "multicast";
    }
    return null;
  }

  /**
   * The IPv4 address inside an IPv4-mapped ({@code ::ffff:a.b.c.d}) or IPv4-compatible
   * ({@code ::a.b.c.d}) IPv6 address, or {@code null}; {@code ::} and {@code ::1} are not IPv4.
   */
  private static InetAddress embeddedIpv4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return null;
      }
    }
    boolean mapped = (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    boolean compatible = b[10] == 0 && b[11] == 0 && (b[12] != 0 || b[13] != 0 || b[14] != 0 || (b[15] & 0xFF) > 1);
    if (!mapped && !compatible) {
      return null;
    }
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("Four bytes are always an IPv4 address", e);
    }
  }

  /** The start of every message, e.g. "The artifact URL". */
  private String prefix() {
    return "The " + subject;
  }

  /** Lower case, without IPv6 brackets or the trailing dot of a fully qualified name. */
  private static String normalizedHost(String host) {
    String normalized = host.toLowerCase(Locale.ROOT);
    if (normalized.startsWith("[") && normalized.endsWith("]")) {
      normalized = normalized.substring(1, normalized.length() - 1);
    }
    return normalized.endsWith(".") ? normalized.substring(0, normalized.length() - 1) : normalized;
  }

  /**
   * The URL without user info, query or fragment, for messages: those parts may hold credentials
   * or a signature, and messages end up in logs and events.
   */
  public static String redacted(URI url) {
    if (url.isOpaque()) {
      return url.getScheme() + ":...";
    }
    StringBuilder text = new StringBuilder();
    if (url.getScheme() != null) {
      text.append(url.getScheme()).append("://");
    }
    if (url.getHost() != null) {
      text.append(url.getHost());
    }
    if (url.getPort() >= 0) {
      text.append(':').append(url.getPort());
    }
    if (url.getRawPath() != null) {
      text.append(url.getRawPath());
    }
    return text.length() == 0 ? "(opaque URL)" : text.toString();
  }
}
