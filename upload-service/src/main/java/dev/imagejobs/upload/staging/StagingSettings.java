package dev.imagejobs.upload.staging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the staging area is swept.
 *
 * @param maxAge staged objects (images and cancel markers) older than this are removed; keep it
 *     well above the time a job may wait between generation and upload
 * @param sweepInterval pause between the end of one sweep and the start of the next
 */
@ConfigurationProperties("imagejobs.upload.staging")
record StagingSettings(@DefaultValue("24h") Duration maxAge, @DefaultValue("1h") Duration sweepInterval) {

  StagingSettings {
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("imagejobs.upload.staging.max-age must be positive");
    }
    if (sweepInterval == null || sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("imagejobs.upload.staging.sweep-interval must be positive");
    }
  }
}
