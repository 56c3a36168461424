package dev.imagejobs.gateway.readmodel;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.IndexedRecord;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fields of an event as plain JSON for the {@code job_events.detail} column: field names as in
 * the Avro schema, timestamps as ISO-8601, enums as their symbol, unions unwrapped. Avro's own JSON
 * encoding wraps every union value in a type object, which is awkward to query.
 */
final class EventDetails {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private EventDetails() {}

  static String json(IndexedRecord record) {
    return JSON.writeValueAsString(plain(record));
  }

  static Map<String, Object> plain(IndexedRecord record) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      fields.put(field.name(), value(record.get(field.pos())));
    }
    return fields;
  }

  private static Object value(Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof IndexedRecord record) {
      return plain(record);
    }
    if (value instanceof Instant instant) {
      return instant.toString();
    }
    if (value instanceof ByteBuffer bytes) {
      return Base64.getEncoder().encodeToString(bytesOf(bytes));
    }
    // Before GenericContainer: a decoded Avro array is one, and must be a list like a built one.
    if (value instanceof List<?> list) {
      List<Object> values = new ArrayList<>(list.size());
      list.forEach(element -> values.add(value(element)));
      return values;
    }
    if (value instanceof GenericContainer || value instanceof Enum<?> || value instanceof CharSequence) {
      return Text.clean(value.toString());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> values = new LinkedHashMap<>();
      map.forEach((key, element) -> values.put(Text.clean(key.toString()), value(element)));
      return values;
    }
    return Text.clean(value.toString());
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
