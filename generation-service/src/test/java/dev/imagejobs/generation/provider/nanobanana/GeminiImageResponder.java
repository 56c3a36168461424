package dev.imagejobs.generation.provider.nanobanana;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.awt.Color;
import tools.jackson.databind.JsonNode;

/**
 * A WireMock transformer that answers {@code generateContent} like Gemini does: a real PNG of the
 * requested aspect ratio whose colour depends on the prompt, or a blocked prompt when the prompt
 * contains the refusal marker. Stubs opt in with {@code withTransformers(NAME)}; their delay is kept.
 */
final class GeminiImageResponder implements ResponseDefinitionTransformerV2 {
  static final String NAME = "gemini-image";
  private static final int LONG_SIDE = 64;

  private final String refusedMarker;

  GeminiImageResponder(String refusedMarker) {
    this.refusedMarker = refusedMarker;
  }

  @Override
  public ResponseDefinition transform(ServeEvent serveEvent) {
    JsonNode request = GeminiResponses.JSON.readTree(serveEvent.getRequest().getBodyAsString());
    // The text part comes after any reference images.
    String prompt = "";
    for (JsonNode part : request.path("contents").path(0).path("parts")) {
      prompt = part.path("text").asString(prompt);
    }
    String ratio = request.path("generationConfig").path("imageConfig").path("aspectRatio").asString("1:1");
    String body = prompt.contains(refusedMarker)
        ? GeminiResponses.blockedPrompt("PROHIBITED_CONTENT")
        : GeminiResponses.imageAnswer(png(ratio, prompt), "Here is your picture.");
    return ResponseDefinitionBuilder.like(serveEvent.getResponseDefinition()).but()
        .withStatus(200)
        .withHeader("Content-Type", "application/json; charset=UTF-8")
        .withBody(body)
        .build();
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  private static byte[] png(String ratio, String prompt) {
    String[] sides = ratio.split(":");
    double w = Double.parseDouble(sides[0]);
    double h = Double.parseDouble(sides[1]);
    int width = w >= h ? LONG_SIDE : (int) Math.round(LONG_SIDE * w / h);
    int height = w >= h ? (int) Math.round(LONG_SIDE * h / w) : LONG_SIDE;
    return GeminiResponses.png(width, height, new Color(prompt.hashCode() & 0xFFFFFF));
  }
}
