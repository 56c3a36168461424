package dev.imagejobs.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The services' own settings as their build describes them: the Spring configuration metadata the
 * configuration processor writes for each module ({@code META-INF/spring-configuration-metadata.json}),
 * renamed settings included.
 */
record SettingsMetadata(List<Setting> settings) {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final List<String> MODULES =
      List.of("messaging", "gateway-service", "generation-service", "upload-service", "streams-service");
  /** Spring's and the JVM's own settings, which the services read too (Kafka clients, server, actuator, logs). */
  private static final Pattern SPRING_SETTING = Pattern.compile("(SPRING|SERVER|MANAGEMENT|LOGGING)_[A-Z0-9_]+");

  /**
   * One setting.
   *
   * @param replacement the setting's new name when this name is a renamed one's old name, else null
   */
  record Setting(String name, String type, String defaultValue, String description, String replacement) {
    boolean renamed() {
      return replacement != null;
    }

    boolean isMap() {
      return type != null && type.startsWith("java.util.Map");
    }

    String environmentVariable() {
      return SettingsMetadata.environmentVariable(name);
    }

    /** For a map, the prefix of its entries' variables: Spring binds map keys only from the dash-less form. */
    String entryVariablePrefix() {
      return name.toUpperCase(Locale.ROOT).replace("-", "").replace('.', '_') + "_";
    }
  }

  /** The environment variable of a setting: upper case, dots and dashes as underscores (Spring's relaxed binding). */
  static String environmentVariable(String name) {
    return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  static SettingsMetadata ofServices() {
    ObjectMapper json = new ObjectMapper();
    List<Setting> settings = new ArrayList<>();
    for (String module : MODULES) {
      Path file = ROOT.resolve(module).resolve("target/classes/META-INF/spring-configuration-metadata.json");
      try {
        for (JsonNode property : json.readTree(Files.readString(file)).path("properties")) {
          JsonNode replacement = property.path("deprecation").path("replacement");
          settings.add(new Setting(property.path("name").asText(), property.path("type").asText(null),
              defaultValue(property.path("defaultValue")),
              property.path("description").asText(""), replacement.isMissingNode() ? null : replacement.asText()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file + " (built by the module's compilation)", e);
      }
    }
    return new SettingsMetadata(List.copyOf(settings));
  }

  /**
   * The default as the docs write it: a list (the processor writes {@code [a, b]}) as its variable
   * gives it, {@code a,b}.
   */
  private static String defaultValue(JsonNode value) {
    if (value.isMissingNode()) {
      return null;
    }
    String text = value.asText();
    return text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1).replace(", ", ",") : text;
  }

  List<Setting> current() {
    return settings.stream().filter(setting -> !setting.renamed()).toList();
  }

  List<Setting> renamed() {
    return settings.stream().filter(Setting::renamed).toList();
  }

  /** Whether a service reads {@code variable}: one of its settings (or a map entry of one), or Spring's own. */
  boolean isRead(String variable) {
    return SPRING_SETTING.matcher(variable).matches()
        || current().stream().anyMatch(setting -> setting.environmentVariable().equals(variable)
            || setting.isMap() && variable.startsWith(setting.entryVariablePrefix()));
  }
}
