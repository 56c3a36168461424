package dev.imagejobs.streams.runtime;

import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.TopicProperties;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.streams.completion.CompletionTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the completion topology with exactly-once processing: a record's state changes and the
 * records it causes (summary, watchdog failure, dead letter) commit together or not at all.
 */
@Configuration(proxyBeanMethods = false)
class StreamsConfiguration {

  @Bean
  CompletionStreams completionStreams(
      KafkaProperties kafka, StreamsProperties streams, WatchdogProperties watchdog, TopicProperties topics,
      TopicNames names,
      MeterRegistry registry, JobTracing tracing) {
    // spring.kafka.* (bootstrap servers, security, spring.kafka.streams.properties.*) first; the
    // settings the topology's guarantees rest on win.
    Properties config = new Properties();
    config.putAll(kafka.buildStreamsProperties());
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, streams.applicationId());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, streams.stateDir().toAbsolutePath().toString());
    config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streams.threads());
    config.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Changelog topics hold the job states: as durable as the topics they are folded from, so the
    // replication settings of imagejobs.topics.* apply to them too.
    config.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topics.replicationFactor());
    config.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
        Integer.toString(topics.minInsyncReplicas()));
    return new CompletionStreams(
        CompletionTopology.build(new StreamsBuilder(), watchdog.toSettings(), names, tracing), config, streams, registry);
  }

  @Bean
  StreamsHealthIndicator completionStreamsHealthIndicator(CompletionStreams completionStreams) {
    return new StreamsHealthIndicator(completionStreams);
  }
}
