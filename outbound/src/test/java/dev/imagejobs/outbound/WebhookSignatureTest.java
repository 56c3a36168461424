package dev.imagejobs.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSignatureTest {
  // The test vector published with the Standard Webhooks specification.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static final Duration TOLERANCE = Duration.ofMinutes(5);
  private static final Instant NOW = Instant.ofEpochSecond(TIMESTAMP + 10);

  @Test
  void givenTheSpecificationsTestVector_whenSigned_thenThePublishedSignature() {
    assertThat(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  void givenTheSpecificationsTestVector_whenVerified_thenAuthentic() {
    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, SIGNATURE, NOW)).isTrue();
  }

  @Test
  void givenATamperedBody_thenNotAuthentic() {
    assertThat(verify(ID, Long.toString(TIMESTAMP), "{\"test\": 2432232315}", SIGNATURE, NOW)).isFalse();
  }

  @Test
  void givenAnotherMessageId_thenNotAuthentic() {
    assertThat(verify("msg_p5jXN8AQM9LWM0D4loKWxJeK", Long.toString(TIMESTAMP), BODY, SIGNATURE, NOW)).isFalse();
  }

  @Test
  void givenAnotherTimestampWithinTheTolerance_thenNotAuthentic() {
    assertThat(verify(ID, Long.toString(TIMESTAMP + 1), BODY, SIGNATURE, NOW)).isFalse();
  }

  @Test
  void givenATimestampOutsideTheTolerance_thenNotAuthenticThoughTheSignatureMatches() {
    Instant muchLater = Instant.ofEpochSecond(TIMESTAMP).plus(TOLERANCE).plusSeconds(1);
    Instant muchEarlier = Instant.ofEpochSecond(TIMESTAMP).minus(TOLERANCE).minusSeconds(1);

    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, SIGNATURE, muchLater)).isFalse();
    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, SIGNATURE, muchEarlier)).isFalse();
    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, SIGNATURE,
        Instant.ofEpochSecond(TIMESTAMP).plus(TOLERANCE))).isTrue();
  }

  @Test
  void givenTwoSecretsDuringARotation_thenTheHeaderCarriesBothAndVerifiesWithEither() {
    String newer = WebhookSecret.generate();

    String header = WebhookSignature.header(List.of(newer, SECRET), ID, TIMESTAMP, BODY);

    assertThat(header).isEqualTo(WebhookSignature.sign(newer, ID, TIMESTAMP, BODY) + " " + SIGNATURE);
    assertThat(verify(newer, header)).isTrue();
    assertThat(verify(SECRET, header)).isTrue();
    assertThat(verify(WebhookSecret.generate(), header)).isFalse();
  }

  @Test
  void givenASignatureOfAnotherVersion_thenItIsNotAccepted() {
    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, SIGNATURE.replace("v1,", "v1a,"), NOW)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "v1,", "v1", "garbage", "v1,not base64 at all", ",,,", "v1,g0hM9SsE"})
  void givenAMalformedSignatureHeader_thenNotAuthenticWithoutAnException(String header) {
    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, header, NOW)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "1614265330.0", " 1614265330", "99999999999999999999", "-9223372036854775808"})
  void givenAMalformedTimestamp_thenNotAuthenticWithoutAnException(String timestamp) {
    assertThat(verify(ID, timestamp, BODY, SIGNATURE, NOW)).isFalse();
  }

  @Test
  void givenMissingHeaders_thenNotAuthentic() {
    assertThat(verify(ID, null, BODY, SIGNATURE, NOW)).isFalse();
    assertThat(verify(ID, Long.toString(TIMESTAMP), BODY, null, NOW)).isFalse();
    assertThat(verify(null, Long.toString(TIMESTAMP), BODY, SIGNATURE, NOW)).isFalse();
  }

  @Test
  void givenNoSecret_whenTheHeaderIsMade_thenRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> WebhookSignature.header(List.of(), ID, TIMESTAMP, BODY))
        .withMessageContaining("at least one secret");
  }

  @Test
  void givenANonAsciiBody_thenItIsSignedAsUtf8() {
    String body = "{\"prompt\": \"caf\u00e9 \u2615\"}";
    String signature = WebhookSignature.sign(SECRET, ID, TIMESTAMP, body);

    assertThat(verify(ID, Long.toString(TIMESTAMP), body, signature, NOW)).isTrue();
    assertThat(verify(ID, Long.toString(TIMESTAMP), "{\"prompt\": \"cafe \u2615\"}", signature, NOW)).isFalse();
  }

  private static boolean verify(String id, String timestamp, String body, String header, Instant now) {
    return WebhookSignature.verify(SECRET, id, timestamp, body, header, TOLERANCE, now);
  }

  private static boolean verify(String secret, String header) {
    return WebhookSignature.verify(secret, ID, Long.toString(TIMESTAMP), BODY, header, TOLERANCE, NOW);
  }
}
