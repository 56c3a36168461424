package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.LifecycleEvent;

/**
 * A lifecycle event to apply to the read model, and where it was read.
 *
 * @param event the event
 * @param position where the projection read it, or {@code null} for an event the gateway writes itself
 */
public record ConsumedEvent(LifecycleEvent event, RecordPosition position) {}
