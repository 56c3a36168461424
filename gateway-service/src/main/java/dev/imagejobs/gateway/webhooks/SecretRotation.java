package dev.imagejobs.gateway.webhooks;

import java.time.Instant;

/**
 * A new signing secret, shown once.
 *
 * @param secret the new secret ({@code whsec_…}); deliveries are signed with it from now on
 * @param previousSecretExpiresAt until when they are signed with the previous one too
 */
public record SecretRotation(String secret, Instant previousSecretExpiresAt) {}
