package dev.imagejobs.gateway.operations;

import dev.imagejobs.gateway.operations.OperatorOverview.DeadLetter;
import dev.imagejobs.gateway.operations.OperatorOverview.GenerationInstance;
import dev.imagejobs.gateway.operations.OperatorOverview.PartitionLag;
import dev.imagejobs.messaging.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * The dashboard's figures from the broker: each consumer group's committed position and lag per
 * partition of the lifecycle and completed topics, the members reading them, and the latest
 * dead-lettered records. Blocking calls, each bounded by {@link #TIMEOUT}; run off the event loop.
 */
class KafkaFigures {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final Admin admin;
  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final String groupPrefix;

  /**
   * @param groupPrefix the start of this deployment's consumer groups ({@code <topic prefix>image-jobs}):
   *     groups of other deployments sharing the cluster are not shown
   */
  KafkaFigures(Admin admin, Supplier<Consumer<byte[], byte[]>> consumers, String groupPrefix) {
    this.admin = admin;
    this.consumers = consumers;
    this.groupPrefix = groupPrefix;
  }

  /**
   * Every group of this deployment that reads {@code topics}, partition by partition; the
   * projection's positions come from {@code projectionOffsets} (it keeps them in PostgreSQL).
   */
  List<PartitionLag> lag(List<String> topics, String projectionGroup, Map<Integer, Long> projectionOffsets,
      String projectionTopic) throws Exception {
    Map<TopicPartition, Long> ends = ends(topics);
    List<String> listed = new ArrayList<>();
    for (ConsumerGroupListing listing : get(admin.listConsumerGroups().all())) {
      if (listing.groupId().startsWith(groupPrefix)) {
        listed.add(listing.groupId());
      }
    }
    Map<String, ConsumerGroupDescription> described = listed.isEmpty() ? Map.of()
        : get(admin.describeConsumerGroups(listed).all());
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    listed.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec()));
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = specs.isEmpty() ? Map.of()
        : get(admin.listConsumerGroupOffsets(specs).all());
    // The projection's group is shown from its positions in PostgreSQL even while no gateway reads.
    List<String> groups = new ArrayList<>(listed);
    if (!groups.contains(projectionGroup)) {
      groups.add(projectionGroup);
    }
    groups.sort(Comparator.naturalOrder());

    List<PartitionLag> lag = new ArrayList<>();
    for (String group : groups) {
      Map<TopicPartition, String> members = members(described.get(group));
      Map<TopicPartition, Long> positions = new HashMap<>();
      if (group.equals(projectionGroup)) {
        projectionOffsets.forEach((partition, next) -> positions.put(new TopicPartition(projectionTopic, partition), next));
      } else {
        committed.getOrDefault(group, Map.of()).forEach((partition, offset) -> {
          if (offset != null) {
            positions.put(partition, offset.offset());
          }
        });
      }
      Set<String> read = new TreeSet<>();
      positions.keySet().forEach(partition -> read.add(partition.topic()));
      members.keySet().forEach(partition -> read.add(partition.topic()));
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        TopicPartition partition = end.getKey();
        if (!read.contains(partition.topic())) {
          continue;
        }
        Long position = positions.get(partition);
        lag.add(new PartitionLag(group, partition.topic(), partition.partition(), position, end.getValue(),
            Math.max(0, end.getValue() - (position == null ? 0 : position)), members.get(partition)));
      }
    }
    lag.sort(Comparator.comparing(PartitionLag::group).thenComparing(PartitionLag::topic)
        .thenComparingInt(PartitionLag::partition));
    return lag;
  }

  /** The members of {@code group} and, for each, the jobs being generated on its partitions. */
  List<GenerationInstance> generation(String group, String lifecycle, Map<Integer, Long> inFlightByPartition,
      List<PartitionLag> lag) throws Exception {
    List<GenerationInstance> instances = new ArrayList<>();
    if (lag.stream().noneMatch(row -> row.group().equals(group))) {
      return instances; // no such group (yet): no instance has ever read
    }
    ConsumerGroupDescription description = get(admin.describeConsumerGroups(List.of(group)).all()).get(group);
    if (description == null) {
      return instances;
    }
    for (MemberDescription member : description.members()) {
      List<Integer> partitions = member.assignment().topicPartitions().stream()
          .filter(partition -> partition.topic().equals(lifecycle)).map(TopicPartition::partition).sorted().toList();
      long inFlight = partitions.stream().mapToLong(partition -> inFlightByPartition.getOrDefault(partition, 0L)).sum();
      long backlog = lag.stream().filter(row -> row.group().equals(group) && row.topic().equals(lifecycle)
          && partitions.contains(row.partition())).mapToLong(PartitionLag::lag).sum();
      instances.add(new GenerationInstance(member.clientId(), member.host(), partitions, inFlight, backlog));
    }
    instances.sort(Comparator.comparing(GenerationInstance::member));
    return instances;
  }

  /** The latest {@code count} records of the dead-letter topic, newest first, and how many it holds. */
  DeadLetterSample deadLetters(String topic, int count) throws Exception {
    List<TopicPartition> partitions = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic)
        .partitions().stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    List<DeadLetter> letters = new ArrayList<>();
    long total = 0;
    try (Consumer<byte[], byte[]> consumer = consumers.get()) {
      consumer.assign(partitions);
      Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, TIMEOUT);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
      List<TopicPartition> unread = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        long begin = begins.get(partition);
        long end = ends.get(partition);
        total += end - begin;
        if (end > begin) {
          consumer.seek(partition, Math.max(begin, end - count));
          unread.add(partition);
        }
      }
      Instant deadline = Instant.now().plus(TIMEOUT);
      while (!unread.isEmpty() && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          letters.add(new DeadLetter(record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
              record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
              header(record, DeadLetterHeaders.REASON), header(record, DeadLetterHeaders.SOURCE_TOPIC),
              header(record, DeadLetterHeaders.CONSUMER_GROUP)));
        }
        unread.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
      }
    }
    letters.sort(Comparator.comparing(DeadLetter::at).reversed());
    return new DeadLetterSample(letters.size() > count ? letters.subList(0, count) : letters, total);
  }

  /** The latest dead letters and the topic's size. */
  record DeadLetterSample(List<DeadLetter> latest, long total) {}

  private Map<TopicPartition, Long> ends(List<String> topics) throws Exception {
    Map<String, TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    descriptions.values().forEach(description -> description.partitions()
        .forEach(info -> latest.put(new TopicPartition(description.name(), info.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> ends = new HashMap<>();
    get(admin.listOffsets(latest).all()).forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }

  private static Map<TopicPartition, String> members(ConsumerGroupDescription description) {
    Map<TopicPartition, String> members = new HashMap<>();
    if (description != null) {
      for (MemberDescription member : description.members()) {
        member.assignment().topicPartitions().forEach(partition -> members.put(partition, member.clientId()));
      }
    }
    return members;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static <T> T get(KafkaFuture<T> future) throws Exception {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("The broker did not answer within " + TIMEOUT.toSeconds() + " s");
    }
  }
}
