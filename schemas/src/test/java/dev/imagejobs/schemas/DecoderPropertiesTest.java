package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever bytes arrive on a topic, the decoders either read a valid event or refuse the record with
 * {@link UndecodableEventException}, which consumers dead-letter; never another exception, and
 * never an allocation the size a corrupt length field asks for.
 */
class DecoderPropertiesTest {
  private static final LifecycleCodec LIFECYCLE = new LifecycleCodec();
  private static final CompletedJobCodec COMPLETED = new CompletedJobCodec();
  private static final byte[] VALID_REQUESTED = LIFECYCLE.encode(Events.aJobRequested("job-1"));
  private static final byte[] VALID_STARTED = LIFECYCLE.encode(Events.aJobStarted("job-2"));

  @Property(tries = 2000)
  void anyBytesAreAnEventOrRefusedAsUndecodable(@ForAll @Size(max = 300) byte[] bytes) {
    assertDecodedOrRefused(bytes);
  }

  @Property(tries = 3000)
  void aValidEventWithSomeBytesChangedIsAnEventOrRefusedAsUndecodable(@ForAll("corruptedEvents") byte[] bytes) {
    assertDecodedOrRefused(bytes);
  }

  @Property(tries = 1000)
  void aValidEventCutShortOrExtendedIsAnEventOrRefusedAsUndecodable(
      @ForAll("validEvents") byte[] valid, @ForAll("lengths") int length) {
    assertDecodedOrRefused(Arrays.copyOf(valid, Math.min(length, valid.length + 16)));
  }

  @Provide
  Arbitrary<byte[]> validEvents() {
    return Arbitraries.of(VALID_REQUESTED, VALID_STARTED);
  }

  @Provide
  Arbitrary<Integer> lengths() {
    return Arbitraries.integers().between(0, 400);
  }

  /** Valid events with 1 to 4 bytes after the 10-byte header replaced by random ones. */
  @Provide
  Arbitrary<byte[]> corruptedEvents() {
    Arbitrary<byte[]> valid = validEvents();
    Arbitrary<List<Integer>> positions = Arbitraries.integers().between(0, 10_000).list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<List<Byte>> values = Arbitraries.bytes().list().ofSize(4);
    return valid.flatMap(event -> positions.flatMap(at -> values.map(replacement -> {
      byte[] copy = event.clone();
      for (int i = 0; i < at.size(); i++) {
        int position = 10 + at.get(i) % (copy.length - 10);
        copy[position] = replacement.get(i);
      }
      return copy;
    })));
  }

  private static void assertDecodedOrRefused(byte[] bytes) {
    for (Decoder decoder : List.<Decoder>of(LIFECYCLE::decode, COMPLETED::decode)) {
      try {
        assertThat(decoder.decode(bytes)).isNotNull();
      } catch (UndecodableEventException refused) {
        assertThat(refused.getMessage()).isNotBlank();
      }
    }
  }

  @FunctionalInterface
  private interface Decoder {
    Object decode(byte[] bytes);
  }
}
