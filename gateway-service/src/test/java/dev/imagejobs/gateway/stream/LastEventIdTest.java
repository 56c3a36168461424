package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.web.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LastEventIdTest {

  @Test
  void givenNothingThenTheStreamStartsFromTheBeginning() {
    assertThat(LastEventId.jobEventAfter(null, null)).isZero();
    assertThat(LastEventId.jobEventAfter(" ", null)).isZero();
    assertThat(LastEventId.positionAfter(null, null)).isEqualTo(EventPosition.START);
    assertThat(LastEventId.positionAfter(" ", null)).isEqualTo(EventPosition.START);
  }

  @Test
  void givenTheHeaderThenItWinsOverTheQueryParameter() {
    assertThat(LastEventId.jobEventAfter("42", "7")).isEqualTo(42);
    assertThat(LastEventId.jobEventAfter(null, "7")).isEqualTo(7);
    assertThat(LastEventId.positionAfter("900-42", "901-7")).isEqualTo(new EventPosition(900, 42));
    assertThat(LastEventId.positionAfter(null, "901-7")).isEqualTo(new EventPosition(901, 7));
  }

  @Test
  void givenAProjectStreamIdIssuedBeforePositionsHadTwoPartsThenItResumesAtThatOldPosition() {
    assertThat(LastEventId.positionAfter("1234", null)).isEqualTo(new EventPosition(0, 1234));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "abc", "1.5", "1234567890123456789"})
  void givenSomethingThatIsNotAJobEventIdThenItIsReported(String value) {
    assertThatThrownBy(() -> LastEventId.jobEventAfter(value, null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(LastEventId.HEADER);
    assertThatThrownBy(() -> LastEventId.jobEventAfter(null, value))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(LastEventId.PARAMETER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "abc", "1.5", "1-2-3", "12-", "-12", "1234567890123456789-1"})
  void givenSomethingThatIsNotAPositionThenItIsReported(String value) {
    assertThatThrownBy(() -> LastEventId.positionAfter(value, null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(LastEventId.HEADER);
    assertThatThrownBy(() -> LastEventId.positionAfter(null, value))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(LastEventId.PARAMETER);
  }
}
