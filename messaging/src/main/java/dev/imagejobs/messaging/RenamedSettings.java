package dev.imagejobs.messaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.util.StringUtils;

/**
 * Reports each renamed setting still set under its old name at start-up, with its new name, and
 * applies it as if the new name were set in the same place, unless the new name is set there or
 * anywhere that takes precedence (then the old one is ignored, and reported as such).
 *
 * <p>The renamed settings are the deprecated entries, with their replacement, of the services'
 * configuration metadata ({@code additional-spring-configuration-metadata.json} of each module): the
 * one list IDEs, this report and docs/configuration.md share. Runs after the configuration files are
 * loaded, so a renamed setting in an {@code application.yml} is found too.
 */
public class RenamedSettings implements EnvironmentPostProcessor, Ordered {
  /**
   * Where each module lists its renamed settings: its hand-written part of the metadata, which only
   * this project's jars carry (Spring Boot's large generated files are never read at start-up).
   */
  static final String METADATA = "META-INF/additional-spring-configuration-metadata.json";

  private final Log log;

  public RenamedSettings(DeferredLogFactory logs) {
    this.log = logs.getLog(RenamedSettings.class);
  }

  /** One renamed setting. */
  public record Renamed(ConfigurationPropertyName oldName, ConfigurationPropertyName newName) {}

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    List<Renamed> renamed = renamedSettings(application.getClassLoader());
    if (renamed.isEmpty()) {
      return;
    }
    MutablePropertySources sources = environment.getPropertySources();
    List<PropertySource<?>> inOrder = new ArrayList<>();
    sources.forEach(inOrder::add);
    for (int index = 0; index < inOrder.size(); index++) {
      PropertySource<?> source = inOrder.get(index);
      ConfigurationPropertySource names = ConfigurationPropertySource.from(source);
      if (names == null) {
        continue;
      }
      Map<String, Object> applied = new LinkedHashMap<>();
      for (Renamed setting : renamed) {
        ConfigurationProperty old = names.getConfigurationProperty(setting.oldName());
        if (old == null) {
          continue;
        }
        boolean newNameWins = isSet(inOrder.subList(0, index + 1), setting.newName());
        log.warn(describe(old, setting) + (newNameWins
            ? ": ignored, as " + setting.newName() + " is set"
            : ": applied for now; set the new name instead, the old one will stop working"));
        if (!newNameWins) {
          applied.put(setting.newName().toString(), old.getValue());
        }
      }
      if (!applied.isEmpty()) {
        sources.addAfter(source.getName(), new MapPropertySource("renamed settings of " + source.getName(), applied));
      }
    }
  }

  private static String describe(ConfigurationProperty old, Renamed setting) {
    String where = old.getOrigin() == null ? "" : " (" + old.getOrigin() + ")";
    return "Setting " + setting.oldName() + where + " is renamed " + setting.newName()
        + " (environment variable " + environmentVariable(setting.newName()) + ")";
  }

  /** The variable Spring binds to the name: upper case, dots and dashes as underscores. */
  public static String environmentVariable(ConfigurationPropertyName name) {
    return name.toString().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static boolean isSet(List<PropertySource<?>> sources, ConfigurationPropertyName name) {
    return sources.stream()
        .map(ConfigurationPropertySource::from)
        .anyMatch(source -> source != null && source.getConfigurationProperty(name) != null);
  }

  /** The deprecated settings with a replacement in the modules' metadata on {@code classLoader}'s class path. */
  public static List<Renamed> renamedSettings(ClassLoader classLoader) {
    List<Renamed> renamed = new ArrayList<>();
    try {
      Enumeration<URL> resources = classLoader.getResources(METADATA);
      while (resources.hasMoreElements()) {
        URL resource = resources.nextElement();
        ConfigurationMetadataRepositoryJsonBuilder metadata = ConfigurationMetadataRepositoryJsonBuilder.create();
        try (InputStream in = resource.openStream()) {
          metadata.withJsonResource(in, StandardCharsets.UTF_8);
        }
        metadata.build().getAllProperties().values().stream()
            .filter(ConfigurationMetadataProperty::isDeprecated)
            .filter(property -> StringUtils.hasText(property.getDeprecation().getReplacement()))
            .map(property -> new Renamed(ConfigurationPropertyName.of(property.getId()),
                ConfigurationPropertyName.of(property.getDeprecation().getReplacement())))
            .forEach(renamed::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the settings metadata " + METADATA, e);
    }
    return renamed;
  }
}
