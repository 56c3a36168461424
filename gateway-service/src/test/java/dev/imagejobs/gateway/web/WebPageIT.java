package dev.imagejobs.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class WebPageIT extends GatewayIntegrationTest {
  /** The hooks the browser test of the local stack relies on. */
  private static final String[] TEST_IDS = {
      "token-input", "token-save", "token-status", "project-picker", "project-open", "stream-status", "job-type",
      "branch-id", "asset-id", "scene-id", "shot-id", "prompt", "aspect-ratio", "image-size", "priority", "style-capsule",
      "submit-job", "job-list", "job-row", "job-status", "job-image", "retry-button", "cancel-button", "job-error",
      "error"};

  @Test
  void givenTheRootPathThenThePageIsServedWithoutATokenWithItsTestHooksAndAStrictContentPolicy() {
    String page = http.get().uri("/").accept(MediaType.TEXT_HTML).exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
        .expectHeader().value("Content-Security-Policy", policy -> assertThat(policy)
            .contains("script-src 'self'").contains("connect-src 'self'").doesNotContain("unsafe-inline"))
        .expectBody(String.class).returnResult().getResponseBody();

    for (String id : TEST_IDS) {
      assertThat(page).as("data-testid %s", id).contains("data-testid=\"" + id + "\"");
    }
    assertThat(page).contains("<script src=\"app.js\" defer></script>").doesNotContain("<script>");
  }

  @Test
  void givenThePageAssetsThenTheyAreServedWithoutATokenAndTheScriptUsesTheLiveStream() {
    String script = http.get().uri("/app.js").exchange()
        .expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(script).contains("new EventSource(").contains("/events?").contains("access_token")
        .contains("Idempotency-Key");
    http.get().uri("/app.css").exchange().expectStatus().isOk();
    http.get().uri("/favicon.svg").exchange().expectStatus().isOk();
    // The token handling both pages share, and the operator dashboard (its figures need the role).
    for (String asset : List.of("/token.js", "/operator.html", "/operator.js")) {
      http.get().uri(asset).exchange().expectStatus().isOk();
    }
  }
}
