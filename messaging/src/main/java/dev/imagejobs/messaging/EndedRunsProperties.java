package dev.imagejobs.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a service reads the ended-runs topic ({@code imagejobs.ended-runs.*}); how long it keeps
 * ended runs is the topic's retention ({@code imagejobs.topics.ended-runs-retention-ms}).
 *
 * @param loadTimeout how long start-up waits for the topic to be read before it fails
 */
@ConfigurationProperties("imagejobs.ended-runs")
public record EndedRunsProperties(@DefaultValue("2m") Duration loadTimeout) {}
