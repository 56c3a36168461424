package dev.imagejobs.gateway.outbox;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;

/** The producer of the lifecycle topic: idempotent, acks from all in-sync replicas, key = job id. */
@Configuration(proxyBeanMethods = false)
class OutboxConfiguration {

  @Bean
  DefaultKafkaProducerFactory<String, SpecificRecord> lifecycleProducerFactory(
      KafkaProperties kafka, LifecycleCodec codec, OutboxSettings settings, MeterRegistry registry) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    // send() blocks while the broker is unknown; never longer than the relay waits for acks.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.sendTimeout().toMillis());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "image-jobs-gateway-outbox");
    DefaultKafkaProducerFactory<String, SpecificRecord> factory =
        new DefaultKafkaProducerFactory<>(config, new StringSerializer(), new LifecycleEventSerializer(codec));
    factory.addListener(new MicrometerProducerListener<>(registry));
    return factory;
  }

  @Bean
  KafkaTemplate<String, SpecificRecord> lifecycleKafkaTemplate(ProducerFactory<String, SpecificRecord> factory) {
    KafkaTemplate<String, SpecificRecord> template = new KafkaTemplate<>(factory);
    // A span per send, written into the record's traceparent header by the tracing propagator.
    template.setObservationEnabled(true);
    return template;
  }
}
