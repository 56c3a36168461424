package dev.imagejobs.gateway.jobs;

import java.util.List;

/**
 * A shot's frames and the asset image keys they were made from.
 *
 * @param projectId the shot's project
 * @param sceneId its scene
 * @param shotId the shot
 * @param startFrames its start frame jobs, newest first
 * @param endFrames its end frame jobs, newest first
 * @param assetKeys the asset image key jobs the frames name among their references, by asset id,
 *     then newest first
 */
record ShotView(String projectId, String sceneId, String shotId, List<JobView> startFrames, List<JobView> endFrames,
    List<JobView> assetKeys) {}
