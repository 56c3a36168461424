package dev.imagejobs.gateway.operations;

import dev.imagejobs.schemas.TopicNames;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The broker clients of the dashboard: an admin client, and consumers without a group for the dead letters. */
@Configuration(proxyBeanMethods = false)
class OperationsConfiguration {

  @Bean(destroyMethod = "close")
  Admin operationsAdmin(KafkaProperties kafka) {
    Map<String, Object> config = new HashMap<>(kafka.buildAdminProperties());
    config.put("client.id", "gateway-operations");
    return Admin.create(config);
  }

  @Bean
  KafkaFigures kafkaFigures(Admin operationsAdmin, KafkaProperties kafka, TopicNames names) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-operations-dead-letters");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaFigures(operationsAdmin,
        () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        names.prefix() + "image-jobs");
  }
}
