package dev.imagejobs.streams.completion;

import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.RunEndedCodec;
import dev.imagejobs.schemas.TopicNames;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams topology of the service: lifecycle topic in; completed summaries, ended runs,
 * watchdog failures and dead letters out. Built by a pure method and tested with {@code TopologyTestDriver}
 * ({@code CompletionTopologyTest}); running it is someone else's job.
 */
public final class CompletionTopology {

  /**
   * The application id of a deployment without a topic prefix ({@code imagejobs.streams.application-id}):
   * the consumer group, the prefix of internal topics and {@code dlq_consumer_group}.
   */
  public static final String APPLICATION_ID = "image-jobs-streams";

  /** Job id → folded {@link JobState}. */
  static final String JOB_STATES = "job-states";

  /** Job id → wall-clock millis at which the job entered its non-terminal status; absent = not watched. */
  static final String WATCHDOG_ARMS = "watchdog-arms";

  private CompletionTopology() {}

  /** The topology reading and writing the topics named as {@code names} says. */
  public static Topology build(StreamsBuilder builder, StreamsSettings settings, TopicNames names, JobTracing tracing) {
    LifecycleCodec lifecycleCodec = new LifecycleCodec();
    CompletedJobCodec completedCodec = new CompletedJobCodec();
    RunEndedCodec endedRunsCodec = new RunEndedCodec();
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(JOB_STATES), Serdes.String(), new JobStateCodec().serde()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WATCHDOG_ARMS), Serdes.String(), Serdes.Long()));

    // Raw bytes in, so that a poison record is dead-lettered byte for byte instead of failing the task.
    KStream<byte[], Outbound> outbound = builder
        .stream(names.lifecycle(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("lifecycle-source"))
        .process(() -> new JobLifecycleProcessor(settings, lifecycleCodec, completedCodec, endedRunsCodec, tracing),
            Named.as("job-lifecycle"), JOB_STATES, WATCHDOG_ARMS);

    var routes = outbound.split(Named.as("route-"));
    for (Outbound.Destination destination : Outbound.Destination.values()) {
      String name = destination.name().toLowerCase(Locale.ROOT).replace('_', '-');
      routes = routes.branch(
          (key, value) -> value.destination() == destination,
          Branched.withConsumer(records -> records
              .mapValues(Outbound::value, Named.as(name + "-value"))
              .to(names.of(destination.topic()),
                  Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-sink")), name));
    }
    return builder.build();
  }
}
