package dev.imagejobs.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenApiIT extends GatewayIntegrationTest {
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  private RequestMappingHandlerMapping mappings;

  @Autowired
  private JsonMapper json;

  @Test
  void givenTheApiDocumentThenItListsExactlyTheRoutesTheApplicationMapsWithTheSameMethods() {
    JsonNode document = json.readTree(http.get().uri("/v3/api-docs").exchange()
        .expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody());

    assertThat(documented(document)).isEqualTo(mapped());
    assertThat(document.at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
    assertThat(document.at("/paths/~1api~1v1~1images~1events/get/parameters").toString()).contains("access_token");
    assertThat(document.at("/paths/~1api~1v1~1images~1jobs/post/responses/4XX/content").toString())
        .contains("application/problem+json");
    assertThat(document.at("/paths/~1api~1v1~1images~1jobs~1{jobId}~1retry/post/responses").has("202")).isTrue();
    assertThat(document.at("/components/schemas/CreateJobRequest/properties/priority/enum").toString())
        .isEqualTo("[\"high\",\"normal\",\"low\"]");
    assertThat(document.at("/components/schemas/JobView/properties/priority/enum").toString())
        .isEqualTo("[\"high\",\"normal\",\"low\"]");
    assertThat(document.at("/paths/~1api~1v1~1images~1jobs/get/parameters").toString()).contains("\"priority\"");
    assertThat(document.at("/components/schemas/CreateJobRequest/properties/edit/$ref").asString())
        .endsWith("/EditRequest");
    assertThat(document.at("/components/schemas/EditRequest/properties").toString()).contains("\"source\"", "\"mask\"");
    assertThat(document.at("/components/schemas/JobView/properties/edit/$ref").asString()).endsWith("/Edit");
    assertThat(document.toString()).as("the tenant comes from the token").doesNotContain("\"tenant\"");
    assertThat(document.toString()).as("so does the token's expiry").doesNotContain("acceptedUntil")
        .doesNotContain("\"expiry\"");
  }

  /** "METHOD /path" of every route of the application's controllers (not the document's own endpoint). */
  private Set<String> mapped() {
    Set<String> routes = new TreeSet<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : mappings.getHandlerMethods().entrySet()) {
      if (!mapping.getValue().getBeanType().getPackageName().startsWith("dev.imagejobs.gateway")) {
        continue;
      }
      RequestMappingInfo info = mapping.getKey();
      assertThat(info.getMethodsCondition().getMethods()).as("every route names its method: %s", info).isNotEmpty();
      for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
        info.getMethodsCondition().getMethods().forEach(method -> routes.add(method.name() + " " + pattern));
      }
    }
    return routes;
  }

  private static Set<String> documented(JsonNode document) {
    Set<String> routes = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
      Iterator<String> operations = path.getValue().propertyNames().iterator();
      while (operations.hasNext()) {
        String operation = operations.next();
        if (HTTP_METHODS.contains(operation)) {
          routes.add(operation.toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      }
    }
    return routes;
  }
}
