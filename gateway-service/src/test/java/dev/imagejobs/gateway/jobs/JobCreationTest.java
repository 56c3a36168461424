package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobCreationTest {

  @Test
  void givenARequestWithoutPriorityThenItsCanonicalFormIsTheOneKeysWereStoredWithBeforePriorities() {
    CreateJobRequest request = new CreateJobRequest(
        "ASSET_IMAGE_KEY", "p1", "main", null, null, "hero", "A red scarf", null, "16:9", null, null, null, null, null, null, null);

    assertThat(JobCreation.canonical(request)).isEqualTo("""
        {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","sceneId":null,"shotId":null,\
        "assetId":"hero","prompt":"A red scarf","styleCapsuleId":null,"aspectRatio":"16:9","imageSize":null}""");
  }

  @Test
  void givenANamedPriorityThenItIsPartOfTheCanonicalFormEvenWhenItIsTheDefault() {
    CreateJobRequest omitted = new CreateJobRequest(
        "START_FRAME", "p1", "main", "s1", "sh1", null, "Dawn", null, "16:9", null, null, null, null, null, null, null);
    CreateJobRequest normal = new CreateJobRequest(
        "START_FRAME", "p1", "main", "s1", "sh1", null, "Dawn", null, "16:9", null, "normal", null, null, null, null, null);

    assertThat(JobCreation.canonical(normal)).endsWith(",\"priority\":\"normal\"}")
        .isNotEqualTo(JobCreation.canonical(omitted));
  }
}
