package dev.imagejobs.messaging;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * A Kafka consumer and the one thread that uses it, started and stopped with the application: the
 * consumer is made from the service's consumer factory (bootstrap servers, security) with records
 * read as raw bytes, the loop runs on a thread of its own until {@link #stop()} wakes it, and the
 * consumer is closed on that thread however the loop ends.
 */
public abstract class ConsumerLoop implements SmartLifecycle {
  private final ConsumerFactory<?, ?> consumers;
  private final String name;

  private volatile boolean running;
  private volatile Consumer<byte[], byte[]> consumer;
  private Thread thread;

  /**
   * @param name the consumer's client id and its thread's name ({@code name-consumer})
   */
  protected ConsumerLoop(ConsumerFactory<?, ?> consumers, String name) {
    this.consumers = consumers;
    this.name = name;
  }

  /** Settings of this consumer over the factory's. */
  protected abstract Properties overrides();

  /** What the loop's thread does, until {@link #isRunning()} turns false or it fails. */
  protected abstract void loop();

  /** How long {@link #stop()} waits for the loop to end. */
  protected abstract Duration stopTimeout();

  /** The consumer, for the loop's thread only. */
  protected final Consumer<byte[], byte[]> consumer() {
    return consumer;
  }

  /** Makes the loop end at its next check of {@link #isRunning()}, as {@link #stop()} does, from the loop's thread. */
  protected final void endLoop() {
    running = false;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    Properties overrides = overrides();
    overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    @SuppressWarnings("unchecked")
    Consumer<byte[], byte[]> raw = (Consumer<byte[], byte[]>) consumers.createConsumer(null, name, null, overrides);
    consumer = raw;
    running = true;
    thread = new Thread(this::run, name + "-consumer");
    thread.start();
  }

  private void run() {
    try {
      loop();
    } finally {
      consumer.close();
      running = false;
    }
  }

  @Override
  public void stop() {
    Thread looping;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      looping = thread;
    }
    consumer.wakeup();
    try {
      looping.join(stopTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
