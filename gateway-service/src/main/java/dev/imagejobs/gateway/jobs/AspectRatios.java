package dev.imagejobs.gateway.jobs;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** The aspect ratios the image API accepts ({@link CreateJobRequest#ASPECT_RATIOS}). */
final class AspectRatios {
  static final List<String> ALL = Arrays.asList(CreateJobRequest.ASPECT_RATIOS.split("\\|"));

  private AspectRatios() {}

  /**
   * The accepted ratio nearest {@code width:height}, comparing on a log scale so 2:1 is as far
   * from 1:1 as 1:2 is: what an edit asks the model for when its request names none.
   */
  static String nearest(int width, int height) {
    double wanted = Math.log((double) width / height);
    return ALL.stream()
        .min(Comparator.comparingDouble(ratio -> Math.abs(Math.log(value(ratio)) - wanted)))
        .orElseThrow();
  }

  private static double value(String ratio) {
    String[] sides = ratio.split(":");
    return Double.parseDouble(sides[0]) / Double.parseDouble(sides[1]);
  }
}
