package dev.imagejobs.infra.benchmark;

import java.util.UUID;

/**
 * Bodies of the benchmark's job requests: asset-key jobs of one project, one asset per request,
 * all 16:9 (one pre-rendered image with the local provider's cheap mode).
 */
final class JobRequests {

  private final String project;

  JobRequests(String project) {
    this.project = project;
  }

  /** A project id of its own for a scenario, so its streams and statistics see only its jobs. */
  static String newProject(String scenario) {
    return "bench-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  String project() {
    return project;
  }

  /** The request body of job {@code index} (ids and prompt need no JSON escaping), at its job type's default priority. */
  String body(long index) {
    return "{" + fields(index) + "}";
  }

  /** The request body of job {@code index} naming its {@code priority} ({@code high}, {@code normal}, {@code low}). */
  String body(long index, String priority) {
    return "{" + fields(index) + ",\"priority\":\"" + priority + "\"}";
  }

  private String fields(long index) {
    return "\"jobType\":\"ASSET_IMAGE_KEY\",\"projectId\":\"" + project + "\",\"branchId\":\"main\","
        + "\"assetId\":\"asset" + index + "\",\"prompt\":\"Benchmark image " + index
        + ": a lighthouse at dawn, watercolour\",\"aspectRatio\":\"16:9\"";
  }
}
