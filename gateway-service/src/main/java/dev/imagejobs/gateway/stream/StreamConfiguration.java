package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.jobs.JobView;
import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.ReadModel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the event feed and its notification listener. The listener gets a connection of its own,
 * outside the pool: {@code LISTEN} binds to a session, and a pooled connection would be handed to
 * other work.
 */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {
  private static final String POOL_DRIVER = "pool";
  private static final Option<String> APPLICATION_NAME = Option.valueOf("applicationName");
  static final String LISTENER_APPLICATION_NAME = "image-jobs-gateway-events";

  /** The feed renders each event's data once, with the API's own JSON settings. */
  @Bean
  EventFeed eventFeed(ReadModel readModel, JobEventNotifications notifications, CommittedEvents committed,
      StreamSettings settings, JsonMapper json, MeterRegistry meters) {
    EventFeed feed = new EventFeed(readModel, notifications, committed, settings,
        event -> json.writeValueAsString(JobView.of(event.jobAfter())));
    Gauge.builder("imagejobs.streams.open", feed, EventFeed::subscriptions)
        .description("Event streams open on this instance").register(meters);
    FunctionCounter.builder("imagejobs.streams.feed.reads", feed, EventFeed::reads)
        .description("Reads of the event history by this instance's event feed, whatever the number of streams")
        .register(meters);
    return feed;
  }

  @Bean
  JobEventNotifications jobEventNotifications(R2dbcConnectionDetails database, StreamSettings settings) {
    ConnectionFactoryOptions pooled = database.getConnectionFactoryOptions();
    ConnectionFactoryOptions.Builder options = pooled.mutate();
    if (POOL_DRIVER.equals(pooled.getValue(ConnectionFactoryOptions.DRIVER))) {
      options.option(ConnectionFactoryOptions.DRIVER,
          String.valueOf(pooled.getRequiredValue(ConnectionFactoryOptions.PROTOCOL)));
      options.option(ConnectionFactoryOptions.PROTOCOL, "");
    }
    options.option(APPLICATION_NAME, LISTENER_APPLICATION_NAME);
    return new JobEventNotifications(ConnectionFactories.get(options.build()), settings);
  }
}
