package dev.imagejobs.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResponseExcerptTest {

  @Test
  void givenMoreBytesThanKept_thenOnlyTheFirstAreKeptAndTheRestIsRead() {
    ResponseExcerpt excerpt = new ResponseExcerpt(4);
    ByteBuffer first = ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer second = ByteBuffer.wrap("defgh".getBytes(StandardCharsets.US_ASCII));

    excerpt.consume(first);
    excerpt.consume(second);

    assertThat(excerpt.getContent()).asString(StandardCharsets.US_ASCII).isEqualTo("abcd");
    assertThat(first.hasRemaining()).isFalse();
    assertThat(second.hasRemaining()).as("the rest is consumed, not left to stall the stream").isFalse();
  }

  @Test
  void givenLongText_thenCutAtTheCharacterLimitWithoutSplittingASurrogatePair() {
    String text = "ab\uD83D\uDE00cd"; // a, b, an emoji as two chars, c, d

    assertThat(ResponseExcerpt.text(text.getBytes(StandardCharsets.UTF_8), 3)).isEqualTo("ab");
    assertThat(ResponseExcerpt.text(text.getBytes(StandardCharsets.UTF_8), 4)).isEqualTo("ab\uD83D\uDE00");
    assertThat(ResponseExcerpt.text(text.getBytes(StandardCharsets.UTF_8), 100)).isEqualTo(text);
  }

  @Test
  void givenBytesThatAreNotUtf8OrCutInACharacter_thenReplacedRatherThanFailing() {
    byte[] cut = {'o', 'k', (byte) 0xC3};
    byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);

    assertThat(ResponseExcerpt.text(cut, 10)).isEqualTo("ok\uFFFD");
    assertThat(ResponseExcerpt.text(latin1, 10)).isEqualTo("caf\uFFFD");
  }

  @Test
  void givenDurations_thenWordedInSecondsOrMilliseconds() {
    assertThat(FailureReason.text(Duration.ofSeconds(10))).isEqualTo("10 s");
    assertThat(FailureReason.text(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    assertThat(FailureReason.text(Duration.ofMillis(250))).isEqualTo("250 ms");
  }
}
