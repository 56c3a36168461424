package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.infra.SettingsMetadata.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every setting the services declare, under the environment variable
 * Spring binds to it and with the default the service really has, and every renamed setting with its
 * new name: the table cannot fall behind the code.
 */
class ConfigurationDocsTest {
  private static final Path DOC = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/configuration.md");
  /** A row of a settings table: variable, property, default, meaning. */
  private static final Pattern SETTING_ROW = Pattern.compile("^\\| `([A-Z0-9_<>]+)` \\| `([a-z][a-z0-9-]*\\.[a-z0-9.-]+)` \\| ([^|]+) \\|.*$");
  /** A row of the renamed table: old name, old variable, new name, new variable. */
  private static final Pattern RENAMED_ROW =
      Pattern.compile("^\\| `([a-z0-9.-]+)` \\| `([A-Z0-9_]+)` \\| `([a-z0-9.-]+)` \\| `([A-Z0-9_]+)` \\|$");

  private final SettingsMetadata metadata = SettingsMetadata.ofServices();

  @Test
  void everySettingIsListedWithItsVariableAndItsDefault() throws IOException {
    Map<String, String[]> rows = rows(SETTING_ROW);

    assertThat(rows.keySet()).containsAll(metadata.current().stream().map(Setting::name).toList());
    for (Setting setting : metadata.current()) {
      String[] row = rows.get(setting.name());
      String variable = setting.isMap() ? setting.entryVariablePrefix() + "<KEY>" : setting.environmentVariable();
      assertThat(row[0]).as("variable of %s", setting.name()).isEqualTo(variable);
      if (setting.defaultValue() != null) {
        assertThat(row[1]).as("default of %s", setting.name())
            .isEqualTo(setting.defaultValue().isEmpty() ? "empty" : "`" + setting.defaultValue() + "`");
      }
    }
    assertThat(rows.keySet()).as("rows of settings no service has")
        .allSatisfy(name -> assertThat(metadata.current()).anySatisfy(setting -> assertThat(setting.name()).isEqualTo(name)));
  }

  @Test
  void everyRenamedSettingIsListedWithItsNewName() throws IOException {
    Map<String, String[]> rows = rows(RENAMED_ROW);

    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(metadata.renamed().stream().map(Setting::name).toList());
    for (Setting renamed : metadata.renamed()) {
      String[] row = rows.get(renamed.name());
      assertThat(row[0]).isEqualTo(renamed.environmentVariable());
      assertThat(row[1]).as("new name of %s", renamed.name()).isEqualTo(renamed.replacement());
      assertThat(row[2]).isEqualTo(SettingsMetadata.environmentVariable(renamed.replacement()));
    }
  }

  /** Rows matching {@code row} by the property named in them: the other cells, trimmed. */
  private static Map<String, String[]> rows(Pattern row) throws IOException {
    Map<String, String[]> rows = new HashMap<>();
    for (String line : Files.readAllLines(DOC)) {
      Matcher matcher = row.matcher(line);
      if (matcher.matches()) {
        String[] cells = new String[matcher.groupCount() - 1];
        int name = row == SETTING_ROW ? 2 : 1;
        for (int group = 1, cell = 0; group <= matcher.groupCount(); group++) {
          if (group != name) {
            cells[cell++] = matcher.group(group).strip();
          }
        }
        assertThat(rows.put(matcher.group(name), cells)).as("%s listed twice", matcher.group(name)).isNull();
      }
    }
    return rows;
  }
}
