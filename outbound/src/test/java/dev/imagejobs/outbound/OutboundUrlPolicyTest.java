package dev.imagejobs.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundUrlPolicyTest {

  private static final String SUBJECT = "artifact URL";
  private static final String PUBLIC_HOST = "images.provider.example";

  /** Answers from a fixed table, never from DNS. */
  private final Map<String, InetAddress[]> dns = new HashMap<>();
  private final OutboundUrlPolicy.Resolver resolver = host -> {
    InetAddress[] addresses = dns.get(host);
    if (addresses == null) {
      throw new UnknownHostException(host);
    }
    return addresses;
  };
  private final OutboundUrlPolicy strict = new OutboundUrlPolicy(SUBJECT, false, Set.of(), false, resolver);

  OutboundUrlPolicyTest() {
    dns.put(PUBLIC_HOST, new InetAddress[] {v4(PUBLIC_HOST, 203, 0, 113, 7)});
  }

  @Test
  void givenAnHttpsUrlOfAPublicHost_whenChecked_thenAccepted() {
    assertThatCode(() -> strict.check(URI.create("https://" + PUBLIC_HOST + "/out/image.png?sig=abc")))
        .doesNotThrowAnyException();
  }

  @Test
  void givenPlainHttp_whenChecked_thenRejectedUnlessAllowedForAllOrForTheHost() {
    URI url = URI.create("http://" + PUBLIC_HOST + "/image.png");

    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(url))
        .withMessage("The artifact URL http://" + PUBLIC_HOST + "/image.png must use https, not http");
    assertThatCode(() -> new OutboundUrlPolicy(SUBJECT, true, Set.of(), false, resolver).check(url))
        .doesNotThrowAnyException();
    assertThatCode(() -> new OutboundUrlPolicy(SUBJECT, false, Set.of(PUBLIC_HOST), false, resolver).check(url))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://images.provider.example/a.png", "file:///etc/passwd", "/relative/a.png",
      "gopher://images.provider.example/"})
  void givenAnotherScheme_whenChecked_thenRejectedEvenWithHttpAllowed(String url) {
    OutboundUrlPolicy lenient = new OutboundUrlPolicy(SUBJECT, true, Set.of(), true, resolver);

    assertThatIllegalArgumentException().isThrownBy(() -> lenient.check(URI.create(url)))
        .withMessageEndingWith("must use https");
  }

  @Test
  void givenUserInfo_whenChecked_thenRejectedWithoutEchoingTheCredentials() {
    URI url = URI.create("https://user:s3cret@" + PUBLIC_HOST + "/image.png?token=t0ken");

    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(url))
        .withMessage("The artifact URL https://" + PUBLIC_HOST + "/image.png must not carry user info")
        .withMessageNotContaining("s3cret")
        .withMessageNotContaining("t0ken");
  }

  @Test
  void givenAnAllowList_whenTheHostIsNotOnIt_thenRejected() {
    dns.put("cdn.other.example", new InetAddress[] {v4("cdn.other.example", 198, 51, 100, 20)});
    OutboundUrlPolicy listed = new OutboundUrlPolicy(SUBJECT, false, Set.of("Images.Provider.Example"), false, resolver);

    assertThatCode(() -> listed.check(URI.create("https://IMAGES.provider.example./a.png")))
        .doesNotThrowAnyException();
    assertThatIllegalArgumentException().isThrownBy(() -> listed.check(URI.create("https://cdn.other.example/a.png")))
        .withMessage("The artifact URL host 'cdn.other.example' is not one of the allowed hosts [images.provider.example]");
  }

  @Test
  void givenAnAllowedHostThatResolvesToAPrivateAddress_whenChecked_thenStillRejected() {
    dns.put("internal.example", new InetAddress[] {v4("internal.example", 10, 1, 2, 3)});
    OutboundUrlPolicy listed = new OutboundUrlPolicy(SUBJECT, true, Set.of("internal.example"), false, resolver);

    assertThatIllegalArgumentException().isThrownBy(() -> listed.check(URI.create("http://internal.example/a.png")))
        .withMessage("The artifact URL host 'internal.example' resolves to 10.1.2.3, an internal address (site-local)");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1 loopback", "127.200.0.9 loopback",
      "10.0.0.1 site-local", "172.16.0.1 site-local", "172.31.255.254 site-local", "192.168.1.1 site-local",
      "169.254.169.254 link-local", "169.254.0.1 link-local",
      "0.0.0.0 any-local", "0.1.2.3 any-local",
      "224.0.0.1 multicast", "239.255.255.250 multicast",
      "100.64.0.1 carrier-grade", "100.127.255.254 carrier-grade",
      "255.255.255.255 reserved"})
  void givenAHostResolvingToAnInternalIpv4Address_whenChecked_thenRejectedNamingTheRange(String addressAndRange) {
    String[] parts = addressAndRange.split(" ");
    dns.put("evil.example", new InetAddress[] {address(parts[0])});

    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://evil.example/a.png")))
        .withMessageStartingWith(
            "The artifact URL host 'evil.example' resolves to " + parts[0] + ", an internal address (" + parts[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1",
      "192.169.0.1", "11.0.0.1", "8.8.8.8", "192.0.1.1", "191.255.255.255", "198.17.255.255", "198.20.0.1",
      "2001:200::1", "2001:4860:4860::8888", "2003::1", "64:ff9a:ffff::1"})
  void givenAddressesJustOutsideTheInternalRanges_whenChecked_thenAccepted(String literal) {
    dns.put("edge.example", new InetAddress[] {address(literal)});

    assertThatCode(() -> strict.check(URI.create("https://edge.example/a.png"))).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "::1 loopback", ":: any-local", "fe80::1 link-local", "fec0::1 site-local", "ff02::1 multicast",
      "fc00::1 unique-local", "fd12:3456:789a::1 unique-local"})
  void givenAHostResolvingToAnInternalIpv6Address_whenChecked_thenRejected(String addressAndRange) {
    String[] parts = addressAndRange.split(" ");
    dns.put("evil6.example", new InetAddress[] {address(parts[0])});

    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://evil6.example/a.png")))
        .withMessageContaining(", an internal address (" + parts[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "192.0.0.8|IETF protocol assignments 192.0.0.0/24", "192.0.0.170|IETF protocol assignments 192.0.0.0/24",
      "198.18.0.1|benchmarking 198.18.0.0/15", "198.19.255.254|benchmarking 198.18.0.0/15",
      "64:ff9b::a9fe:a9fe|NAT64 64:ff9b::/96", "64:ff9b::808:808|NAT64 64:ff9b::/96",
      "64:ff9b:1::a00:1|local-use NAT64 64:ff9b:1::/48",
      "2002:a9fe:a9fe::1|6to4 2002::/16", "2002:808:808::1|6to4 2002::/16",
      "2001:2::1|benchmarking 2001:2::/48",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2|Teredo 2001::/32",
      "2001:10::1|IETF protocol assignments 2001::/23", "2001:1ff:ffff::1|IETF protocol assignments 2001::/23"})
  void givenAHostResolvingToATranslatedOrSpecialPurposeAddress_whenChecked_thenRejectedNamingTheRange(
      String addressAndRange) {
    String[] parts = addressAndRange.split("\\|");
    dns.put("special.example", new InetAddress[] {address(parts[0])});

    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://special.example/a.png")))
        .withMessageEndingWith(", an internal address (" + parts[1] + ")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"169.254.169.254 link-local", "127.0.0.1 loopback", "10.0.0.5 site-local",
      "100.64.1.1 carrier-grade"})
  void givenAnIpv4MappedIpv6FormOfAnInternalAddress_whenChecked_thenRejected(String addressAndRange) {
    String[] parts = addressAndRange.split(" ");
    byte[] v4 = address(parts[0]).getAddress();
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, v4[0], v4[1], v4[2], v4[3]};
    byte[] compatible = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, v4[0], v4[1], v4[2], v4[3]};
    for (byte[] form : new byte[][] {mapped, compatible}) {
      dns.put("mapped.example", new InetAddress[] {v6("mapped.example", form)});

      assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://mapped.example/a.png")))
          .withMessageContaining("(IPv4-mapped " + parts[1]);
    }
  }

  @Test
  void givenAnIpv4MappedFormOfAPublicAddress_whenChecked_thenAccepted() {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 203, 0, 113, 7};
    dns.put("mapped.example", new InetAddress[] {v6("mapped.example", mapped)});
    dns.put("v6.example", new InetAddress[] {address("2001:db8::7")});

    assertThatCode(() -> strict.check(URI.create("https://mapped.example/a.png"))).doesNotThrowAnyException();
    assertThatCode(() -> strict.check(URI.create("https://v6.example/a.png"))).doesNotThrowAnyException();
  }

  @Test
  void givenAHostWithOnePublicAndOnePrivateAddress_whenChecked_thenRejected() {
    dns.put("split.example", new InetAddress[] {v4("split.example", 203, 0, 113, 9), v4("split.example", 192, 168, 0, 10)});

    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://split.example/a.png")))
        .withMessageContaining("192.168.0.10");
  }

  @Test
  void givenALiteralAddressUrl_whenChecked_thenTheLiteralIsChecked() {
    dns.put("169.254.169.254", new InetAddress[] {address("169.254.169.254")});
    dns.put("::1", new InetAddress[] {address("::1")});

    assertThatIllegalArgumentException()
        .isThrownBy(() -> strict.check(URI.create("https://169.254.169.254/latest/meta-data/")))
        .withMessage("The artifact URL host '169.254.169.254' resolves to 169.254.169.254, an internal address (link-local)");
    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://[::1]:8443/a.png")))
        .withMessageContaining("loopback");
  }

  @Test
  void givenPrivateAddressesAllowed_whenAHostResolvesToLoopback_thenAccepted() {
    dns.put("localhost", new InetAddress[] {address("127.0.0.1")});
    OutboundUrlPolicy local = new OutboundUrlPolicy(SUBJECT, true, Set.of(), true, resolver);

    assertThatCode(() -> local.check(URI.create("http://localhost:8089/a.png"))).doesNotThrowAnyException();
  }

  @Test
  void givenAnUnresolvableHost_whenChecked_thenRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https://nowhere.example/a.png")))
        .withMessage("The artifact URL host 'nowhere.example' cannot be resolved");
  }

  @Test
  void givenAUrlWithoutHost_whenChecked_thenRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(URI.create("https:///a.png")))
        .withMessage("The artifact URL https:///a.png has no host");
    assertThatIllegalArgumentException().isThrownBy(() -> strict.check(null))
        .withMessage("The artifact URL is missing");
  }

  @Test
  void givenAnotherSubject_whenRefused_thenEveryMessageNamesThatSubject() {
    dns.put("internal.example", new InetAddress[] {v4("internal.example", 10, 1, 2, 3)});
    OutboundUrlPolicy webhooks = new OutboundUrlPolicy("webhook URL", false, Set.of(), false, resolver);

    assertThatIllegalArgumentException().isThrownBy(() -> webhooks.check(null))
        .withMessage("The webhook URL is missing");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> webhooks.check(URI.create("http://" + PUBLIC_HOST + "/hook?key=k3y")))
        .withMessage("The webhook URL http://" + PUBLIC_HOST + "/hook must use https, not http");
    assertThatIllegalArgumentException().isThrownBy(() -> webhooks.check(URI.create("https://internal.example/hook")))
        .withMessage("The webhook URL host 'internal.example' resolves to 10.1.2.3, an internal address (site-local)");
    assertThatIllegalArgumentException().isThrownBy(() -> webhooks.check(URI.create("https://nowhere.example/hook")))
        .withMessage("The webhook URL host 'nowhere.example' cannot be resolved");
    assertThatExceptionOfType(OutboundUrlPolicy.RefusedAddressException.class)
        .isThrownBy(() -> webhooks.connectableAddresses("internal.example"))
        .withMessageStartingWith("The webhook URL host 'internal.example'");
  }

  @Test
  void givenPrivateAddressesAllowed_whenConnectableAddressesAreAsked_thenTheResolvedAddressesAreReturned()
      throws UnknownHostException {
    dns.put("local.example", new InetAddress[] {address("127.0.0.1"), address("::1")});
    OutboundUrlPolicy local = new OutboundUrlPolicy(SUBJECT, true, Set.of(), true, resolver);

    assertThat(local.connectableAddresses("LOCAL.example.")).containsExactly(address("127.0.0.1"), address("::1"));
  }

  @Test
  void givenAUrlWithCredentialsAndAQuery_whenRedacted_thenOnlySchemeHostPortAndPathRemain() {
    assertThat(OutboundUrlPolicy.redacted(URI.create("https://u:p@hooks.example:8443/in/x?sig=abc#frag")))
        .isEqualTo("https://hooks.example:8443/in/x");
    assertThat(OutboundUrlPolicy.redacted(URI.create("mailto:someone@example.com"))).isEqualTo("mailto:...");
  }

  private static InetAddress v4(String host, int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(host, new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An Inet6Address as a resolver may return it, without Java folding IPv4-mapped forms to IPv4. */
  private static InetAddress v6(String host, byte[] address) {
    try {
      return Inet6Address.getByAddress(host, address, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a literal address; literals never reach DNS. */
  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
