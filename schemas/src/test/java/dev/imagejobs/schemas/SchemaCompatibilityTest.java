package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.avro.BudgetThresholdReached;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.RunEnded;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility gate: every released schema version is kept in
 * {@code src/main/resources/dev/imagejobs/schemas/released/<Record>/v<N>.avsc}; the current schema must be
 * the newest released one, and every version must read, and be read by, every earlier one. To release a
 * changed schema, add {@code v<N+1>.avsc} holding the JSON this test prints.
 */
class SchemaCompatibilityTest {

  @ParameterizedTest
  @EnumSource(EventType.class)
  void currentSchemaIsTheNewestReleasedVersion(EventType type) {
    List<Schema> released = SchemaCatalogue.released(type);
    Schema current = type.currentSchema();
    assertThat(released).as("released versions of %s", type.simpleName()).isNotEmpty();
    assertThat(LifecycleCodec.fingerprint(released.get(released.size() - 1)))
        .as("%s changed but was not released: add v%d.avsc with%n%s",
            type.simpleName(), released.size() + 1, current.toString(true))
        .isEqualTo(LifecycleCodec.fingerprint(current));
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void everyVersionIsCompatibleBothWaysWithEveryEarlierOne(EventType type) {
    List<Schema> versions = new ArrayList<>(SchemaCatalogue.released(type));
    versions.add(type.currentSchema());
    for (int newer = 1; newer < versions.size(); newer++) {
      for (int older = 0; older < newer; older++) {
        assertThat(incompatibilities(versions.get(older), versions.get(newer)))
            .as("%s v%d against v%d", type.simpleName(), newer + 1, older + 1)
            .isEmpty();
      }
    }
  }

  /** Records that are topic values of their own rather than lifecycle events. */
  static List<Schema> otherRecords() {
    return List.of(ImageJobCompleted.getClassSchema(), RunEnded.getClassSchema(), BudgetThresholdReached.getClassSchema());
  }

  @ParameterizedTest
  @MethodSource("otherRecords")
  void otherRecordIsReleasedAndCompatibleWithEveryEarlierVersion(Schema current) {
    List<Schema> versions = new ArrayList<>(SchemaCatalogue.released(current.getName()));
    assertThat(versions).as("released versions of %s", current.getName()).isNotEmpty();
    assertThat(LifecycleCodec.fingerprint(versions.get(versions.size() - 1)))
        .as("%s changed but was not released: add v%d.avsc with%n%s",
            current.getName(), versions.size() + 1, current.toString(true))
        .isEqualTo(LifecycleCodec.fingerprint(current));
    versions.add(current);
    for (int newer = 1; newer < versions.size(); newer++) {
      for (int older = 0; older < newer; older++) {
        assertThat(incompatibilities(versions.get(older), versions.get(newer))).isEmpty();
      }
    }
  }

  @Test
  void gateRejectsARequiredFieldAddedWithoutDefault() {
    Schema old = SchemaCatalogue.released(EventType.JOB_CANCELED).get(0);
    Schema changed = withExtraField(old, "{\"name\":\"operator\",\"type\":\"string\"}");
    assertThat(incompatibilities(old, changed)).anyMatch(problem -> problem.contains("new reader cannot read old data"));
  }

  @Test
  void gateRejectsARemovedFieldThatOldReadersNeed() {
    Schema old = SchemaCatalogue.released(EventType.JOB_FAILED).get(0);
    String json = old.toString().replace(
        ",{\"name\":\"message\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"},\"doc\":\"Human-readable reason.\"}", "");
    Schema changed = new Schema.Parser().parse(json);
    assertThat(changed.getField("message")).isNull();
    assertThat(incompatibilities(old, changed)).anyMatch(problem -> problem.contains("old reader cannot read new data"));
  }

  @Test
  void gateAcceptsAnOptionalFieldWithDefault() {
    Schema old = SchemaCatalogue.released(EventType.JOB_CANCELED).get(0);
    Schema changed = withExtraField(old, "{\"name\":\"operator\",\"type\":[\"null\",\"string\"],\"default\":null}");
    assertThat(incompatibilities(old, changed)).isEmpty();
  }

  /** Problems of {@code newer} against {@code older}, in both directions; empty when compatible. */
  static List<String> incompatibilities(Schema older, Schema newer) {
    List<String> problems = new ArrayList<>();
    var backward = SchemaCompatibility.checkReaderWriterCompatibility(newer, older);
    if (backward.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add("new reader cannot read old data: " + backward.getResult().getIncompatibilities());
    }
    var forward = SchemaCompatibility.checkReaderWriterCompatibility(older, newer);
    if (forward.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add("old reader cannot read new data: " + forward.getResult().getIncompatibilities());
    }
    return problems;
  }

  static Schema withExtraField(Schema schema, String fieldJson) {
    String json = schema.toString();
    return new Schema.Parser().parse(json.substring(0, json.lastIndexOf(']')) + "," + fieldJson + "]}");
  }
}
