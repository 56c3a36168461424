package dev.imagejobs.gateway.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventPositionTest {

  @Test
  void givenPositionsThenTheyOrderByTransactionThenBySequence() {
    List<EventPosition> positions = new ArrayList<>(List.of(
        new EventPosition(7, 3), new EventPosition(5, 9), new EventPosition(7, 1), new EventPosition(0, 40)));
    Collections.sort(positions);
    assertThat(positions).containsExactly(
        new EventPosition(0, 40), new EventPosition(5, 9), new EventPosition(7, 1), new EventPosition(7, 3));
    assertThat(new EventPosition(7, 3).isAfter(new EventPosition(7, 1))).isTrue();
    assertThat(new EventPosition(5, 9).isAfter(new EventPosition(7, 1))).isFalse();
  }

  @Test
  void givenATokenThenParsingItGivesThePositionBack() {
    EventPosition position = new EventPosition(123456789, 42);
    assertThat(EventPosition.parse(position.token())).contains(position);
    assertThat(EventPosition.parse("17")).as("an id of the old one-part form").contains(new EventPosition(0, 17));
    assertThat(EventPosition.parse("x-1")).isEmpty();
    assertThat(EventPosition.parse(null)).isEmpty();
  }
}
