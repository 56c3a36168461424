package dev.imagejobs.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Every released version of every lifecycle schema, read from
 * {@code dev/imagejobs/schemas/released/<Record>/v<N>.avsc}. A version, once released, is never
 * edited or removed: {@code SchemaCompatibilityTest} fails the build when the current schema is not
 * released yet or cannot read, or be read by, any earlier version.
 */
public final class SchemaCatalogue {

  static final String RELEASED_ROOT = "dev/imagejobs/schemas/released/";

  private static final Map<EventType, List<Schema>> RELEASED = loadAll();

  private SchemaCatalogue() {}

  /** The schema this build writes for {@code type}. */
  public static Schema current(EventType type) {
    return SpecificData.get().getSchema(type.recordClass());
  }

  /** Released versions of {@code type}, oldest first. */
  public static List<Schema> released(EventType type) {
    return RELEASED.get(type);
  }

  /** Released versions of a record that is not a lifecycle event (e.g. the public completed summary). */
  public static List<Schema> released(String recordName) {
    List<Schema> versions = new ArrayList<>();
    ClassLoader loader = SchemaCatalogue.class.getClassLoader();
    for (int version = 1; ; version++) {
      String resource = RELEASED_ROOT + recordName + "/v" + version + ".avsc";
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          return Collections.unmodifiableList(versions);
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + resource, e);
      }
    }
  }

  private static Map<EventType, List<Schema>> loadAll() {
    Map<EventType, List<Schema>> all = new EnumMap<>(EventType.class);
    for (EventType type : EventType.values()) {
      all.put(type, released(type.simpleName()));
    }
    return Collections.unmodifiableMap(all);
  }
}
