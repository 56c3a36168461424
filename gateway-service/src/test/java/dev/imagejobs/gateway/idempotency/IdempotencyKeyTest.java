package dev.imagejobs.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.gateway.web.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {

  @Test
  void givenAStructuredFieldStringOrABareTokenThenTheKeyIsTheSame() {
    assertThat(IdempotencyKey.parse("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", 255).value())
        .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
    assertThat(IdempotencyKey.parse(" 8e03978e-40d5-43e8-bc93-6894a57f9324 ", 255).value())
        .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
  }

  @Test
  void givenAKeyOfTheMaximumLengthThenItIsAcceptedAndOneMoreIsNot() {
    assertThat(IdempotencyKey.parse("k".repeat(16), 16).value()).hasSize(16);
    assertThatThrownBy(() -> IdempotencyKey.parse("k".repeat(17), 16)).isInstanceOf(InvalidInputException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\"\"", "two words", "quote\"inside", "back\\slash", "ünicode", "tab\there"})
  void givenAnUnusableKeyThenTheHeaderIsReported(String header) {
    assertThatThrownBy(() -> IdempotencyKey.parse(header, 255))
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.getBody().getProperties().get("errors").toString()).contains(IdempotencyKey.HEADER));
  }

  @Test
  void givenTheSameCanonicalRequestThenTheFingerprintIsTheSameAndOtherwiseNot() {
    assertThat(IdempotencyKeys.fingerprint("{\"a\":1}")).isEqualTo(IdempotencyKeys.fingerprint("{\"a\":1}"))
        .hasSize(64).isNotEqualTo(IdempotencyKeys.fingerprint("{\"a\":2}"));
  }
}
