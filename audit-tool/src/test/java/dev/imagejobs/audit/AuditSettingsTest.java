package dev.imagejobs.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.r2dbc.postgresql.client.SSLMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditSettingsTest {

  @Test
  void givenTheServicesKafkaSecurityVariables_thenTheAuditsClientGetsTheSameProperties() {
    AuditSettings settings = AuditSettings.fromEnvironment(Map.of(
        "SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9093",
        "SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512",
        "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule "
            + "required username=\"audit\" password=\"secret\";",
        "SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "file:/etc/image-jobs/kafka-ca/ca.p12",
        "SPRING_KAFKA_SSL_TRUST_STORE_TYPE", "PKCS12",
        "SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD", "changeit",
        "SPRING_KAFKA_PROPERTIES_CLIENT_DNS_LOOKUP", "",
        "IMAGEJOBS_JOBS_PROVIDER", "local"));

    assertThat(settings.bootstrapServers()).isEqualTo("kafka:9093");
    assertThat(settings.kafkaClient()).containsOnly(
        Map.entry("security.protocol", "SASL_SSL"),
        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
        Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule "
            + "required username=\"audit\" password=\"secret\";"),
        Map.entry("ssl.truststore.location", "/etc/image-jobs/kafka-ca/ca.p12"),
        Map.entry("ssl.truststore.type", "PKCS12"),
        Map.entry("ssl.truststore.password", "changeit"));
  }

  @Test
  void givenNothing_thenTheLocalStackWithoutTls() {
    AuditSettings settings = AuditSettings.fromEnvironment(Map.of());

    assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(settings.kafkaClient()).isEmpty();
    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5433/imagejobs?sslmode=disable");
  }

  @Test
  void givenPostgresTls_thenTheConnectionAsksForIt() {
    AuditSettings settings = AuditSettings.fromEnvironment(Map.of("IMAGEJOBS_DATABASE_HOST", "db.internal",
        "IMAGEJOBS_DATABASE_PORT", "5432", "IMAGEJOBS_DATABASE_SSL_MODE", "verify-full"));

    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/imagejobs?sslmode=verify-full");
    assertThat(settings.r2dbcSslMode()).isEqualTo(SSLMode.VERIFY_FULL);
    assertThat(AuditSettings.fromEnvironment(Map.of()).r2dbcSslMode()).isEqualTo(SSLMode.DISABLE);
  }

  @Test
  void givenNoWriterCount_thenTheRebuildUsesThree_andAGivenCountWins() {
    assertThat(AuditSettings.fromEnvironment(Map.of()).rebuildWriters()).isEqualTo(3);
    assertThat(AuditSettings.fromEnvironment(Map.of("IMAGEJOBS_AUDIT_REBUILD_WRITERS", "6")).rebuildWriters())
        .isEqualTo(6);
  }

  @Test
  void givenAWriterCountThatIsNoPositiveNumber_thenTheSettingIsRefusedByName() {
    assertThatThrownBy(() -> AuditSettings.fromEnvironment(Map.of("IMAGEJOBS_AUDIT_REBUILD_WRITERS", "0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IMAGEJOBS_AUDIT_REBUILD_WRITERS");
    assertThatThrownBy(() -> AuditSettings.fromEnvironment(Map.of("IMAGEJOBS_AUDIT_REBUILD_WRITERS", "many")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IMAGEJOBS_AUDIT_REBUILD_WRITERS");
  }

  @Test
  void givenATopicPrefix_thenTheLifecycleTopicIsTheDeployments() {
    assertThat(AuditSettings.fromEnvironment(Map.of("IMAGEJOBS_TOPICS_PREFIX", "staging.")).topics().lifecycle())
        .isEqualTo("staging.image-jobs.lifecycle.v1");
    assertThat(AuditSettings.fromEnvironment(Map.of()).topics().lifecycle()).isEqualTo("image-jobs.lifecycle.v1");
  }

  @Test
  void givenARenamedVariable_thenItIsReadAndReportedWithItsNewName_unlessTheNewOneIsSet() {
    Map<String, String> env = Map.of("POSTGRES_HOST", "old.internal", "POSTGRES_PORT", "6543",
        "IMAGEJOBS_DATABASE_PORT", "5432");

    AuditSettings settings = AuditSettings.fromEnvironment(env);

    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://old.internal:5432/imagejobs?sslmode=disable");
    assertThat(AuditSettings.RENAMED).as("from the services' renamed settings").containsEntry("KAFKA_BOOTSTRAP_SERVERS",
        "SPRING_KAFKA_BOOTSTRAP_SERVERS").containsEntry("POSTGRES_DB", "IMAGEJOBS_DATABASE_NAME").hasSize(7);
    assertThat(AuditSettings.renamedIn(env)).containsExactly(
        "POSTGRES_HOST is renamed IMAGEJOBS_DATABASE_HOST; read for now",
        "POSTGRES_PORT is renamed IMAGEJOBS_DATABASE_PORT; ignored, as IMAGEJOBS_DATABASE_PORT is set");
  }
}
