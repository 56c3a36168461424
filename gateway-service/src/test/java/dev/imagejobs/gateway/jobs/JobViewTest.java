package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobViewTest {

  @Test
  void givenAnObjectOnTheServersDiskThenItsUriIsNotShownWhileACloudStoresIs() {
    assertThat(JobView.shownObjectUri("file:///var/lib/image-jobs/asset-images/project_p1/a.png")).isNull();
    assertThat(JobView.shownObjectUri("FILE:/srv/a.png")).isNull();
    assertThat(JobView.shownObjectUri("gs://asset-images/project_p1/a.png")).isEqualTo("gs://asset-images/project_p1/a.png");
    assertThat(JobView.shownObjectUri(null)).isNull();
  }
}
