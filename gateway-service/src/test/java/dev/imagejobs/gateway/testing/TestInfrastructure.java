package dev.imagejobs.gateway.testing;

import java.io.IOException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.DisposableBean;
import org.testcontainers.DockerClientFactory;

/**
 * Where the integration tests' broker and database come from. By default from Maven artifacts: an
 * in-process KRaft broker ({@link TestKafka}) and zonky's packaged PostgreSQL ({@link TestPostgres}).
 * With {@code -Dimagejobs.test.infrastructure=containers} (the {@code testcontainers} Maven profile)
 * from Testcontainers: the {@code apache/kafka} and {@code postgres} images on the Docker engine
 * Testcontainers finds; where none answers, the tests are skipped, never failed.
 */
public final class TestInfrastructure implements ExecutionCondition {
  /** The switch: {@code containers} for the Testcontainers variant. */
  public static final String SWITCH = "imagejobs.test.infrastructure";
  static final String CONTAINERS = "containers";

  static boolean containers() {
    return CONTAINERS.equalsIgnoreCase(System.getProperty(SWITCH, "").strip());
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (!containers()) {
      return ConditionEvaluationResult.enabled("broker and database from Maven artifacts");
    }
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return ConditionEvaluationResult.enabled("broker and database from Testcontainers");
    }
    return ConditionEvaluationResult.disabled(
        "-D" + SWITCH + "=" + CONTAINERS + " asks for Testcontainers and no Docker engine answers");
  }

  /** Stops the broker and the database when the test context closes, after the gateway has stopped. */
  public static final class Lifetime implements DisposableBean {
    @Override
    public void destroy() throws IOException {
      TestKafka.shutDown();
      TestPostgres.shutDown();
    }
  }
}
