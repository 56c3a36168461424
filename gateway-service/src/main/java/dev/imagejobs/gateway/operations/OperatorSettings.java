package dev.imagejobs.gateway.operations;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator dashboard ({@code imagejobs.operator.*}).
 *
 * @param stuckAfter how long a job may stay in one status before the dashboard lists it as stuck
 * @param refreshInterval how long one gateway instance reuses the figures it computed: every
 *     operator's page within that time is answered from them, so the database and the broker are
 *     asked at most once per interval however many pages are open
 * @param generationGroup the generation service's consumer group, whose members are its instances
 *     (default {@code <topic prefix>image-jobs-generation})
 * @param deadLettersShown how many of the latest dead-lettered records are shown
 */
@ConfigurationProperties("imagejobs.operator")
public record OperatorSettings(
    @DefaultValue("5m") Duration stuckAfter,
    @DefaultValue("5s") Duration refreshInterval,
    String generationGroup,
    @DefaultValue("20") int deadLettersShown) {}
