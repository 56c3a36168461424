package dev.imagejobs.upload.inspection;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the artifact checks.
 *
 * @param maxSize largest image accepted
 * @param aspectRatioTolerance largest relative difference between the image's width/height and the
 *     requested ratio, e.g. 0.04 for 4%
 */
@ConfigurationProperties("imagejobs.inspection")
public record InspectionSettings(@DefaultValue("20MB") DataSize maxSize, @DefaultValue("0.04") double aspectRatioTolerance) {

  public InspectionSettings {
    if (maxSize == null || maxSize.toBytes() <= 0) {
      throw new IllegalArgumentException("imagejobs.inspection.max-size must be positive");
    }
    if (aspectRatioTolerance < 0 || aspectRatioTolerance >= 1) {
      throw new IllegalArgumentException("imagejobs.inspection.aspect-ratio-tolerance must be in [0, 1)");
    }
  }

  /**
   * 20 MiB, 4%. Providers return sizes on their own pixel grids, e.g. 1184x864 for 4:3 (2.8% off),
   * so the tolerance must cover a few percent; 4% still rejects a neighbouring ratio (3:2 vs 4:3).
   */
  public static InspectionSettings defaults() {
    return new InspectionSettings(DataSize.ofMegabytes(20), 0.04);
  }
}
