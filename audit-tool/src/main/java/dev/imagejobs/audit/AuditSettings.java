package dev.imagejobs.audit;

import java.util.Map;

/**
 * Where the audit reads from; defaults match the local stack.
 *
 * @param bootstrapServers Kafka bootstrap servers ({@code KAFKA_BOOTSTRAP_SERVERS})
 * @param postgresHost PostgreSQL host ({@code POSTGRES_HOST})
 * @param postgresPort PostgreSQL port ({@code POSTGRES_PORT})
 * @param database database of the live read model ({@code POSTGRES_DB})
 * @param user database user ({@code POSTGRES_USER})
 * @param password database password ({@code POSTGRES_PASSWORD})
 * @param liveSchema schema of the live read model ({@code IMAGEJOBS_AUDIT_LIVE_SCHEMA})
 * @param sslMode PostgreSQL TLS ({@code POSTGRES_SSL_MODE}: {@code disable}, {@code require},
 *     {@code verify-full}), as the gateway
 * @param kafkaClient further Kafka client properties (security), from the services' variables
 *     ({@link KafkaClientSettings})
 */
public record AuditSettings(
    String bootstrapServers, String postgresHost, int postgresPort, String database, String user, String password,
    String liveSchema, String sslMode, Map<String, String> kafkaClient) {

  public AuditSettings {
    kafkaClient = Map.copyOf(kafkaClient);
  }

  public static AuditSettings fromEnvironment(Map<String, String> env) {
    return new AuditSettings(
        env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
        env.getOrDefault("POSTGRES_HOST", "localhost"),
        Integer.parseInt(env.getOrDefault("POSTGRES_PORT", "5433")),
        env.getOrDefault("POSTGRES_DB", "imagejobs"),
        env.getOrDefault("POSTGRES_USER", "postgres"),
        env.getOrDefault("POSTGRES_PASSWORD", ""),
        env.getOrDefault("IMAGEJOBS_AUDIT_LIVE_SCHEMA", "public"),
        env.getOrDefault("POSTGRES_SSL_MODE", "disable"),
        KafkaClientSettings.from(env));
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + database + "?sslmode=" + sslMode;
  }
}
