package dev.imagejobs.generation.provider.nanobanana;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What matters in a successful {@code generateContent} response: the image, the text the model added,
 * why it stopped or was blocked, and the tokens it billed. Absent fields are null or empty.
 *
 * @param responseId Gemini's id of the response, for support requests
 * @param image the first image that is not a thought (thinking models also return draft images)
 * @param text the non-thought text parts, joined by new lines; empty when there are none
 * @param finishReason the first candidate's {@code finishReason}
 * @param finishMessage the first candidate's {@code finishMessage}
 * @param blockReason {@code promptFeedback.blockReason}, set when the prompt itself was refused
 * @param blockReasonMessage {@code promptFeedback.blockReasonMessage}
 * @param tokens the answer's token counts
 */
record GeminiAnswer(String responseId, Optional<InlineImage> image, String text, String finishReason,
    String finishMessage, String blockReason, String blockReasonMessage, TokenCounts tokens) {

  /** An image Gemini returned inline, base64 encoded. */
  record InlineImage(String mimeType, String base64) {}

  /**
   * Reads a parsed response body.
   *
   * @throws IllegalArgumentException when {@code root} is not a JSON object
   */
  static GeminiAnswer from(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("The answer is not a JSON object");
    }
    InlineImage image = null;
    List<String> texts = new ArrayList<>();
    JsonNode candidates = root.path("candidates");
    for (JsonNode candidate : candidates) {
      for (JsonNode part : candidate.path("content").path("parts")) {
        if (part.path("thought").asBoolean(false)) {
          continue;
        }
        String text = string(part.path("text"));
        if (text != null && !text.isBlank()) {
          texts.add(text.strip());
        }
        String data = string(part.path("inlineData").path("data"));
        if (image == null && data != null && !data.isEmpty()) {
          image = new InlineImage(string(part.path("inlineData").path("mimeType")), data);
        }
      }
    }
    JsonNode first = candidates.path(0);
    JsonNode feedback = root.path("promptFeedback");
    return new GeminiAnswer(string(root.path("responseId")), Optional.ofNullable(image), String.join("\n", texts),
        string(first.path("finishReason")), string(first.path("finishMessage")),
        string(feedback.path("blockReason")), string(feedback.path("blockReasonMessage")),
        TokenCounts.from(root.path("usageMetadata")));
  }

  private static String string(JsonNode node) {
    return node.isString() ? node.stringValue() : null;
  }
}
