package dev.imagejobs.audit;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Kafka client settings of the audit, read from the same environment variables as the services
 * (Spring Boot's names): {@code SPRING_KAFKA_SECURITY_PROTOCOL}, {@code SPRING_KAFKA_SSL_*} for
 * trust and key stores, and {@code SPRING_KAFKA_PROPERTIES_<NAME>} for any client property
 * ({@code SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}). So the audit reads
 * a secured cluster with the credentials a service has, e.g. in the same pod.
 */
final class KafkaClientSettings {
  private static final String PROPERTIES = "SPRING_KAFKA_PROPERTIES_";
  private static final String FILE = "file:";
  private static final Map<String, String> NAMED = Map.of(
      "SPRING_KAFKA_SECURITY_PROTOCOL", "security.protocol",
      "SPRING_KAFKA_SSL_PROTOCOL", "ssl.protocol",
      "SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "ssl.truststore.location",
      "SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD", "ssl.truststore.password",
      "SPRING_KAFKA_SSL_TRUST_STORE_TYPE", "ssl.truststore.type",
      "SPRING_KAFKA_SSL_KEY_STORE_LOCATION", "ssl.keystore.location",
      "SPRING_KAFKA_SSL_KEY_STORE_PASSWORD", "ssl.keystore.password",
      "SPRING_KAFKA_SSL_KEY_STORE_TYPE", "ssl.keystore.type",
      "SPRING_KAFKA_SSL_KEY_PASSWORD", "ssl.key.password");

  private KafkaClientSettings() {}

  /** The client properties {@code environment} sets, by Kafka's names. */
  static Map<String, String> from(Map<String, String> environment) {
    Map<String, String> properties = new HashMap<>();
    environment.forEach((name, value) -> {
      if (value == null || value.isBlank()) {
        return;
      }
      if (name.startsWith(PROPERTIES) && name.length() > PROPERTIES.length()) {
        properties.put(name.substring(PROPERTIES.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      } else if (NAMED.containsKey(name)) {
        String property = NAMED.get(name);
        // Store locations are Spring resources; the client wants a path.
        boolean location = property.endsWith(".location") && value.startsWith(FILE);
        properties.put(property, location ? value.substring(FILE.length()) : value);
      }
    });
    return properties;
  }
}
