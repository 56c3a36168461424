package dev.imagejobs.upload.paths;

import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.images.ImageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final object path of a job's image inside the bucket:
 * {@code tenant_{t}/project_{p}/branch_{b}/master-assets/{asset}_{job}.{ext}} for asset image keys
 * and {@code tenant_{t}/project_{p}/branch_{b}/scene_{s}/shot_{sh}/start_frame_{job}.{ext}} (or
 * {@code end_frame_}) for frame anchors. An edit lies beside the image it changed, under its own
 * name: {@code {folder of the source}/{source name}_edit_{job}.{ext}}, the source's name without its
 * extension nor an edit suffix of its own, so edits of edits stay beside the original with names of
 * one length. The tenant comes first, so tenants that use the same project id never share a folder
 * (an edit of an image stored before the tenant came first goes to the same folder under the
 * tenant's). Each id must be a safe path segment ({@link BlobPath#requireSegment}).
 *
 * <p>A job of several variants stores each variant beside the job's path, named after it:
 * {@code {job path without its extension}_v{n}.{ext}}, e.g. {@code master-assets/hero_{job}_v2.png};
 * the job's path itself holds the variant chosen last (the first, until a client chooses).
 */
public final class StoragePaths {
  /** What an edit adds to its source's name, before the job id. */
  static final String EDIT_SUFFIX = "_edit_";
  /** What a variant adds to its job's name, before its number. */
  static final String VARIANT_SUFFIX = "_v";
  private static final Pattern EDITED_NAME = Pattern.compile("^(.+)" + EDIT_SUFFIX + "[0-9a-fA-F-]{36}$");

  private StoragePaths() {}

  /**
   * @throws IllegalArgumentException when an id the job type needs is missing or unsafe, an edit
   *     names no source, the job type is unknown, or the content type is not an image type the
   *     service stores
   */
  public static BlobPath finalPath(String tenantId, String jobId, JobSpec spec, String contentType) {
    ImageFormat format = ImageFormat.fromContentType(contentType)
        .orElseThrow(() -> new IllegalArgumentException(
            "Unsupported content type '" + contentType + "': expected " + ImageFormat.supportedContentTypes()));
    return finalPath(tenantId, jobId, spec, format);
  }

  /** The final path of an image in {@code format}; see {@link #finalPath(String, String, JobSpec, String)}. */
  public static BlobPath finalPath(String tenantId, String jobId, JobSpec spec, ImageFormat format) {
    String tenant = "tenant_" + id("tenantId", tenantId);
    String job = id("jobId", jobId);
    String project = "project_" + id("projectId", spec.getProjectId());
    String branch = "branch_" + id("branchId", spec.getBranchId());
    String extension = "." + format.extension();
    return switch (spec.getJobType()) {
      case ASSET_IMAGE_KEY -> BlobPath.of(tenant,
          project, branch, "master-assets", required("assetId", spec.getAssetId(), spec) + "_" + job + extension);
      case START_FRAME -> BlobPath.of(tenant, project, branch, scene(spec), shot(spec), "start_frame_" + job + extension);
      case END_FRAME -> BlobPath.of(tenant, project, branch, scene(spec), shot(spec), "end_frame_" + job + extension);
      case EDIT -> beside(tenant, spec, job + extension);
      case UNKNOWN -> throw new IllegalArgumentException("Job type " + spec.getJobType() + " has no storage layout");
    };
  }

  /**
   * The path of variant {@code variant} (1-based) of a job whose own path is {@code jobPath}, in
   * {@code format}: beside it, {@code {name without extension}_v{n}.{ext}}.
   *
   * @throws IllegalArgumentException when the number is not positive or the name grows too long
   */
  public static BlobPath variantPath(BlobPath jobPath, int variant, ImageFormat format) {
    if (variant < 1) {
      throw new IllegalArgumentException("Variant numbers start at 1, not " + variant);
    }
    String path = jobPath.value();
    int nameStart = path.lastIndexOf('/') + 1;
    int dot = path.lastIndexOf('.');
    String base = dot > nameStart ? path.substring(0, dot) : path;
    return new BlobPath(base + VARIANT_SUFFIX + variant + "." + format.extension());
  }

  /** The path of an edit: in its source's folder, named after the source. */
  private static BlobPath beside(String tenant, JobSpec spec, String jobAndExtension) {
    if (spec.getEdit() == null) {
      throw new IllegalArgumentException("An EDIT job names the image it changes (edit.source)");
    }
    List<String> segments = new ArrayList<>(new BlobPath(spec.getEdit().getSource().getStoragePath()).segments());
    String name = segments.remove(segments.size() - 1);
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    Matcher edited = EDITED_NAME.matcher(base);
    segments.add((edited.matches() ? edited.group(1) : base) + EDIT_SUFFIX + jobAndExtension);
    if (!segments.get(0).equals(tenant)) {
      segments.add(0, tenant);
    }
    return new BlobPath(String.join("/", segments));
  }

  private static String scene(JobSpec spec) {
    return "scene_" + required("sceneId", spec.getSceneId(), spec);
  }

  private static String shot(JobSpec spec) {
    return "shot_" + required("shotId", spec.getShotId(), spec);
  }

  private static String required(String name, String value, JobSpec spec) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " is required for " + spec.getJobType() + " jobs");
    }
    return id(name, value);
  }

  private static String id(String name, String value) {
    try {
      return BlobPath.requireSegment(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " '" + value + "' is not a safe path segment", e);
    }
  }
}
