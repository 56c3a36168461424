package dev.imagejobs.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretBoxTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private final SecretBox box = new SecretBox(SecretBox.generateKey());

  @Test
  void whenSealedThenOpened_thenThePlaintextComesBack() {
    assertThat(box.open(box.seal(SECRET))).isEqualTo(SECRET);
    assertThat(box.open(box.seal(""))).isEmpty();
    assertThat(box.open(box.seal("caf\u00e9 \u2615"))).isEqualTo("caf\u00e9 \u2615");
  }

  @Test
  void whenSealed_thenFormatByteNonceCiphertextAndTagWithoutThePlaintext() {
    byte[] sealed = box.seal(SECRET);

    assertThat(sealed[0]).isEqualTo(SecretBox.FORMAT);
    assertThat(sealed).hasSize(1 + 12 + SECRET.length() + 16);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("MfKQ9r8G");
  }

  @Test
  void whenTheSameTextIsSealedTwice_thenTheSealedValuesDiffer() {
    assertThat(box.seal(SECRET)).isNotEqualTo(box.seal(SECRET));
  }

  @Test
  void givenAnotherKey_whenOpened_thenRefused() {
    byte[] sealed = box.seal(SECRET);
    SecretBox other = new SecretBox(SecretBox.generateKey());

    assertThatIllegalArgumentException().isThrownBy(() -> other.open(sealed))
        .withMessageContaining("cannot be opened with the configured key");
  }

  @Test
  void givenAnyChangedByte_whenOpened_thenRefused() {
    byte[] sealed = box.seal(SECRET);
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;

      assertThatIllegalArgumentException().as("byte %d changed", i).isThrownBy(() -> box.open(tampered))
          .withMessageContaining("cannot be opened with the configured key");
    }
  }

  @Test
  void givenAShortOrMissingValue_whenOpened_thenRefused() {
    byte[] sealed = box.seal(SECRET);
    byte[] cut = Arrays.copyOf(sealed, 1 + 12 + 15);

    assertThatIllegalArgumentException().isThrownBy(() -> box.open(cut))
        .withMessageContaining("cannot be opened with the configured key");
    assertThatIllegalArgumentException().isThrownBy(() -> box.open(new byte[0]))
        .withMessageContaining("cannot be opened with the configured key");
    assertThatIllegalArgumentException().isThrownBy(() -> box.open(null))
        .withMessageContaining("cannot be opened with the configured key");
  }

  @Test
  void whenAKeyIsGenerated_thenItIsTheBase64OfThirtyTwoBytesAndAccepted() {
    String key = SecretBox.generateKey();

    assertThat(Base64.getDecoder().decode(key)).hasSize(32);
    assertThat(key).isNotEqualTo(SecretBox.generateKey());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 24, 31, 33, 64})
  void givenAKeyOfAnotherLength_thenRefusedNamingTheExpectedForm(int bytes) {
    byte[] raw = new byte[bytes];
    Arrays.fill(raw, (byte) 0x5A);
    String key = Base64.getEncoder().encodeToString(raw);

    assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(key))
        .withMessageContaining("the standard base64 of exactly 32 random bytes")
        .satisfies(e -> {
          if (!key.isEmpty()) {
            assertThat(e.getMessage()).doesNotContain(key);
          }
        });
  }

  @Test
  void givenAKeyThatIsNotBase64_thenRefusedWithoutEchoingIt() {
    String key = "this-is-not-base64-but-a-passphrase!";

    assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(key))
        .withMessageContaining("not base64")
        .withMessageContaining("the standard base64 of exactly 32 random bytes")
        .withMessageNotContaining("passphrase");
    assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(null))
        .withMessageContaining("missing");
  }
}
