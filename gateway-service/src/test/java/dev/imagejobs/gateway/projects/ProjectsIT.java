package dev.imagejobs.gateway.projects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The projects a tenant has jobs in, the most recently active first, with their jobs counted. */
class ProjectsIT extends GatewayIntegrationTest {
  private static final String KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"%s","branchId":"main","assetId":"hero","prompt":"A lighthouse",
       "aspectRatio":"16:9"}""";

  @Test
  void givenJobsInTwoProjectsThenBothAreListedByLastActivityWithTheirCounts() {
    String first = createJob("proj-a", KEY.formatted("harbour"));
    completeJob("proj-a", first);
    createJob("proj-a", KEY.formatted("lighthouse"));
    assertThat(projects("proj-a")).extracting(project -> project.get("projectId"))
        .containsExactly("lighthouse", "harbour");

    createJob("proj-a", KEY.formatted("harbour"));
    createJob("proj-a", KEY.formatted("harbour"));
    List<Map<String, Object>> projects = projects("proj-a");

    assertThat(projects).extracting(project -> project.get("projectId"))
        .as("a new job in harbour makes it the most recent").containsExactly("harbour", "lighthouse");
    assertThat(projects.get(0)).containsEntry("jobs", 3)
        .containsEntry("jobsByStatus", Map.of("completed", 1, "queued", 2));
    assertThat(projects.get(1)).containsEntry("jobs", 1).containsEntry("jobsByStatus", Map.of("queued", 1));
    assertThat((String) projects.get(0).get("lastActivityAt"))
        .isGreaterThan((String) projects.get(1).get("lastActivityAt"));
    assertThat(projects("proj-other")).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> projects(String tenant) {
    return as(tenant).get().uri("/api/v1/images/projects").exchange()
        .expectStatus().isOk()
        .expectBody(List.class).returnResult().getResponseBody();
  }
}
