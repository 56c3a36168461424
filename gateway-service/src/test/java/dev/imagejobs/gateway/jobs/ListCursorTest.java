package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.gateway.readmodel.PagePosition;
import dev.imagejobs.gateway.web.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListCursorTest {

  @Test
  void givenAPositionThenItsCursorIsUrlSafeAndDecodesToTheSamePosition() {
    PagePosition position = new PagePosition(Instant.parse("2026-11-24T10:00:00.123456Z"), "job_1-a");

    String cursor = ListCursor.encode(position);

    assertThat(cursor).matches("[A-Za-z0-9_-]+");
    assertThat(ListCursor.decode(cursor)).isEqualTo(position);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "%%%", "bm90LWEtY3Vyc29y", "MXwyMDI2LTExLTI0VDEwOjAwOjAwWnwuLi94"})
  void givenSomethingThisApiDidNotIssueThenTheCursorParameterIsReported(String cursor) {
    assertThatThrownBy(() -> ListCursor.decode(cursor)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void givenAnotherVersionThenItIsRefused() {
    String v2 = Base64.getUrlEncoder().encodeToString("2|2026-11-24T10:00:00Z|job".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> ListCursor.decode(v2)).isInstanceOf(InvalidInputException.class);
  }
}
