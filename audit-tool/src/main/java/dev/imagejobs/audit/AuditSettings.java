package dev.imagejobs.audit;

import dev.imagejobs.messaging.RenamedSettings;
import dev.imagejobs.schemas.TopicNames;
import io.r2dbc.postgresql.client.SSLMode;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the audit reads from; defaults match the local stack.
 *
 * <p>The variables are the services' own (docs/configuration.md); the names they had before, listed
 * in {@link #RENAMED}, are still read and reported by {@link #renamedIn}.
 *
 * @param bootstrapServers Kafka bootstrap servers ({@code SPRING_KAFKA_BOOTSTRAP_SERVERS})
 * @param postgresHost PostgreSQL host ({@code IMAGEJOBS_DATABASE_HOST})
 * @param postgresPort PostgreSQL port ({@code IMAGEJOBS_DATABASE_PORT})
 * @param database database of the live read model ({@code IMAGEJOBS_DATABASE_NAME})
 * @param user database user ({@code IMAGEJOBS_DATABASE_USERNAME})
 * @param password database password ({@code IMAGEJOBS_DATABASE_PASSWORD})
 * @param liveSchema schema of the live read model ({@code IMAGEJOBS_AUDIT_LIVE_SCHEMA})
 * @param sslMode PostgreSQL TLS ({@code IMAGEJOBS_DATABASE_SSL_MODE}: {@code disable}, {@code require},
 *     {@code verify-full}), as the gateway
 * @param kafkaClient further Kafka client properties (security), from the services' variables
 *     ({@link KafkaClientSettings})
 * @param topics the topic names of the deployment ({@code IMAGEJOBS_TOPICS_PREFIX})
 * @param rebuildWriters connections {@code verify-read-model} replays on, each applying its share of the
 *     partitions ({@code IMAGEJOBS_AUDIT_REBUILD_WRITERS}, default 3)
 */
public record AuditSettings(
    String bootstrapServers, String postgresHost, int postgresPort, String database, String user, String password,
    String liveSchema, String sslMode, Map<String, String> kafkaClient, TopicNames topics,
    int rebuildWriters) {

  static final int DEFAULT_REBUILD_WRITERS = 3;

  public AuditSettings {
    kafkaClient = Map.copyOf(kafkaClient);
    if (rebuildWriters < 1) {
      throw new IllegalArgumentException("IMAGEJOBS_AUDIT_REBUILD_WRITERS must be at least 1, not " + rebuildWriters);
    }
  }

  /** The services' variables this tool reads. */
  private static final Set<String> READ = Set.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", "IMAGEJOBS_DATABASE_HOST",
      "IMAGEJOBS_DATABASE_PORT", "IMAGEJOBS_DATABASE_NAME", "IMAGEJOBS_DATABASE_USERNAME", "IMAGEJOBS_DATABASE_PASSWORD",
      "IMAGEJOBS_DATABASE_SSL_MODE");

  /**
   * The old name of each renamed variable this tool reads, and its name now: from the services'
   * own list of renamed settings ({@link RenamedSettings}), which the tool carries on its class path.
   */
  static final Map<String, String> RENAMED = renamed();

  public static AuditSettings fromEnvironment(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(environment);
    RENAMED.forEach((old, now) -> {
      if (env.containsKey(old)) {
        env.putIfAbsent(now, env.get(old));
      }
    });
    return new AuditSettings(
        env.getOrDefault("SPRING_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
        env.getOrDefault("IMAGEJOBS_DATABASE_HOST", "localhost"),
        Integer.parseInt(env.getOrDefault("IMAGEJOBS_DATABASE_PORT", "5433")),
        env.getOrDefault("IMAGEJOBS_DATABASE_NAME", "imagejobs"),
        env.getOrDefault("IMAGEJOBS_DATABASE_USERNAME", "postgres"),
        env.getOrDefault("IMAGEJOBS_DATABASE_PASSWORD", ""),
        env.getOrDefault("IMAGEJOBS_AUDIT_LIVE_SCHEMA", "public"),
        env.getOrDefault("IMAGEJOBS_DATABASE_SSL_MODE", "disable"),
        KafkaClientSettings.from(env),
        new TopicNames(env.get("IMAGEJOBS_TOPICS_PREFIX")),
        rebuildWriters(env.get("IMAGEJOBS_AUDIT_REBUILD_WRITERS")));
  }

  private static int rebuildWriters(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_REBUILD_WRITERS;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("IMAGEJOBS_AUDIT_REBUILD_WRITERS must be a whole number, not '" + value + "'");
    }
  }

  private static Map<String, String> renamed() {
    Map<String, String> renamed = new HashMap<>();
    for (RenamedSettings.Renamed setting : RenamedSettings.renamedSettings(AuditSettings.class.getClassLoader())) {
      String now = RenamedSettings.environmentVariable(setting.newName());
      if (READ.contains(now)) {
        renamed.put(RenamedSettings.environmentVariable(setting.oldName()), now);
      }
    }
    return Map.copyOf(renamed);
  }

  /** A line for each old variable name in {@code env}: which name to use now, and whether it was used. */
  public static List<String> renamedIn(Map<String, String> env) {
    return RENAMED.entrySet().stream()
        .filter(renamed -> env.containsKey(renamed.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .map(renamed -> renamed.getKey() + " is renamed " + renamed.getValue()
            + (env.containsKey(renamed.getValue()) ? "; ignored, as " + renamed.getValue() + " is set" : "; read for now"))
        .toList();
  }

  /** {@link #sslMode} as the R2DBC driver of the replay names it. */
  SSLMode r2dbcSslMode() {
    return SSLMode.valueOf(sslMode.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + database + "?sslmode=" + sslMode;
  }
}
