package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackSettingsTest {

  private static final Path HOME = Path.of("/opt/local-stack");

  @Test
  void usesTheDocumentedDefaultsWhenNothingIsSet() {
    // When
    StackSettings settings = StackSettings.fromEnvironment(Map.of(), HOME);

    // Then
    assertThat(settings.stateDir()).isEqualTo(Path.of(".local-stack").toAbsolutePath());
    assertThat(settings.home()).isEqualTo(HOME);
    assertThat(new int[] {settings.gatewayPort(), settings.generationPort(), settings.uploadPort(),
        settings.streamsPort(), settings.webhooksPort()})
        .containsExactly(8080, 8081, 8082, 8083, 8084);
    assertThat(new int[] {settings.kafkaPort(), settings.kafkaControllerPort(), settings.postgresPort()})
        .containsExactly(9092, 9093, 5433);
    assertThat(settings.startupTimeout()).isEqualTo(Duration.ofSeconds(180));
    assertThat(settings.serviceJvmOptions()).containsExactly("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  }

  @Test
  void readsEverySettingFromTheEnvironmentAndKeepsItForTheServices() {
    // Given
    Map<String, String> env = environment(
        "IMAGEJOBS_STATE_DIR", "/var/tmp/stack",
        "GATEWAY_PORT", "18080",
        "GENERATION_PORT", "18081",
        "UPLOAD_PORT", "18082",
        "STREAMS_PORT", "18083",
        "WEBHOOKS_PORT", "18084",
        "KAFKA_PORT", "19092",
        "KAFKA_CONTROLLER_PORT", "19093",
        "POSTGRES_PORT", "15432",
        "IMAGEJOBS_STARTUP_TIMEOUT_SECONDS", "30",
        "IMAGEJOBS_SERVICE_JVM_OPTS", "  -Xmx1g   -Dx=y ",
        "IMAGEJOBS_PROVIDERS_LOCAL_FAIL_MARKER", "#fail");

    // When
    StackSettings settings = StackSettings.fromEnvironment(env, HOME);

    // Then
    assertThat(settings.stateDir()).isEqualTo(Path.of("/var/tmp/stack"));
    assertThat(new int[] {settings.gatewayPort(), settings.generationPort(), settings.uploadPort(),
        settings.streamsPort(), settings.webhooksPort(), settings.kafkaPort(), settings.kafkaControllerPort(),
        settings.postgresPort()})
        .containsExactly(18080, 18081, 18082, 18083, 18084, 19092, 19093, 15432);
    assertThat(settings.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.serviceJvmOptions()).containsExactly("-Xmx1g", "-Dx=y");
    assertThat(settings.environment()).containsEntry("IMAGEJOBS_PROVIDERS_LOCAL_FAIL_MARKER", "#fail");
  }

  @Test
  void namesTheVariableThatHoldsABadPort() {
    assertThatThrownBy(() -> StackSettings.fromEnvironment(Map.of("KAFKA_PORT", "kafka"), HOME))
        .hasMessageContaining("KAFKA_PORT");
    assertThatThrownBy(() -> StackSettings.fromEnvironment(Map.of("POSTGRES_PORT", "70000"), HOME))
        .hasMessageContaining("POSTGRES_PORT");
  }

  @Test
  void replacesEveryZeroPortWithADistinctFreePortAndKeepsTheOthers() {
    // Given
    StackSettings settings = StackSettings.fromEnvironment(Map.of(
        "GATEWAY_PORT", "0", "GENERATION_PORT", "0", "UPLOAD_PORT", "0", "STREAMS_PORT", "0",
        "WEBHOOKS_PORT", "0", "KAFKA_PORT", "0", "KAFKA_CONTROLLER_PORT", "0"), HOME);

    // When
    StackSettings resolved = settings.withFreePorts();

    // Then
    Set<Integer> picked = Set.of(resolved.gatewayPort(), resolved.generationPort(), resolved.uploadPort(),
        resolved.streamsPort(), resolved.webhooksPort(), resolved.kafkaPort(), resolved.kafkaControllerPort());
    assertThat(picked).hasSize(7).allSatisfy(port -> assertThat(port).isPositive());
    assertThat(resolved.postgresPort()).isEqualTo(5433);
  }

  private static Map<String, String> environment(String... namesAndValues) {
    Map<String, String> environment = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      environment.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return environment;
  }
}
