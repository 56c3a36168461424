package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.database.DatabaseConfiguration;
import dev.imagejobs.gateway.database.DedicatedDatabase;
import dev.imagejobs.gateway.jobs.JobView;
import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.ReadModel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
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
  static final String LISTENER_APPLICATION_NAME = "image-jobs-gateway-events";

  /** The feed renders each event's data once, with the API's own JSON settings. */
  @Bean
  EventFeed eventFeed(@Qualifier(DatabaseConfiguration.STREAMS) DedicatedDatabase database,
      JobEventNotifications notifications, CommittedEvents committed, StreamSettings settings, JsonMapper json,
      MeterRegistry meters) {
    EventFeed feed = new EventFeed(new ReadModel(database.client()), notifications, committed, settings,
        event -> json.writeValueAsString(JobView.of(event.jobAfter())));
    Gauge.builder("imagejobs.streams.open", feed, EventFeed::subscriptions)
        .description("Event streams open on this instance").register(meters);
    FunctionCounter.builder("imagejobs.streams.feed.reads", feed, EventFeed::reads)
        .description("Reads of the event history by this instance's event feed, whatever the number of streams")
        .register(meters);
    return feed;
  }

  @Bean
  JobEventNotifications jobEventNotifications(
      R2dbcConnectionDetails database, R2dbcProperties properties, StreamSettings settings) {
    return new JobEventNotifications(
        DedicatedDatabase.unpooled(database, properties.getProperties(), LISTENER_APPLICATION_NAME), settings);
  }
}
