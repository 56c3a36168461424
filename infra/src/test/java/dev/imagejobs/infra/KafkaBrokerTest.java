package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  @Test
  void configuresOneCombinedNodeThatNeverCreatesTopicsOnItsOwn() {
    // When
    Properties properties = KafkaBroker.serverProperties(Path.of("/state/kafka/data"), 19092, 19093);

    // Then
    assertThat(properties)
        .containsEntry("process.roles", "broker,controller")
        .containsEntry("node.id", "1")
        .containsEntry("controller.quorum.voters", "1@localhost:19093")
        .containsEntry("listeners", "PLAINTEXT://localhost:19092,CONTROLLER://localhost:19093")
        .containsEntry("controller.listener.names", "CONTROLLER")
        .containsEntry("log.dirs", "/state/kafka/data")
        .containsEntry("auto.create.topics.enable", "false")
        .containsEntry("offsets.topic.replication.factor", "1")
        .containsEntry("transaction.state.log.replication.factor", "1")
        .containsEntry("transaction.state.log.min.isr", "1");
  }
}
