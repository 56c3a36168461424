package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.gateway.web.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LastEventIdTest {

  @Test
  void givenNothingThenTheStreamStartsFromTheBeginning() {
    assertThat(LastEventId.resumeAfter(null, null)).isZero();
    assertThat(LastEventId.resumeAfter(" ", null)).isZero();
  }

  @Test
  void givenTheHeaderThenItWinsOverTheQueryParameter() {
    assertThat(LastEventId.resumeAfter("42", "7")).isEqualTo(42);
    assertThat(LastEventId.resumeAfter(null, "7")).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "abc", "1.5", "1234567890123456789"})
  void givenSomethingThatIsNotAnIdThenItIsReported(String value) {
    assertThatThrownBy(() -> LastEventId.resumeAfter(value, null)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> LastEventId.resumeAfter(null, value)).isInstanceOf(InvalidInputException.class);
  }
}
