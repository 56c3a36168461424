package dev.imagejobs.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSecretTest {

  @Test
  void whenGenerated_thenThePrefixAndTheBase64OfThirtyTwoBytes() {
    String secret = WebhookSecret.generate();

    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);
    assertThat(WebhookSecret.key(secret)).hasSize(32);
  }

  @Test
  void whenGeneratedTwice_thenTheSecretsDiffer() {
    assertThat(WebhookSecret.generate()).isNotEqualTo(WebhookSecret.generate());
  }

  @Test
  void givenASecretWithOrWithoutThePrefix_thenTheKeyIsTheDecodedBase64() {
    byte[] key = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

    assertThat(WebhookSecret.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isEqualTo(key).hasSize(24);
    assertThat(WebhookSecret.key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isEqualTo(key);
  }

  @Test
  void givenSixtyFourBytes_thenAccepted() {
    assertThat(WebhookSecret.key("whsec_" + Base64.getEncoder().encodeToString(new byte[64]))).hasSize(64);
  }

  @Test
  void givenTextThatIsNotBase64_thenRefusedWithoutEchoingIt() {
    assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecret.key("whsec_not*base64!s3cret"))
        .withMessageContaining("base64")
        .withMessageNotContaining("s3cret");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 23, 65})
  void givenAKeyOutsideTheSpecifiedLengths_thenRefusedNamingTheRange(int bytes) {
    String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[bytes]);

    assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecret.key(secret))
        .withMessageContaining("24 to 64 bytes");
  }

  @Test
  void givenNoSecret_thenRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecret.key(null))
        .withMessageContaining("required");
    assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecret.key(" "))
        .withMessageContaining("required");
  }
}
