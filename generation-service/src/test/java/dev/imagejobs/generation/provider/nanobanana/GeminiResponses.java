package dev.imagejobs.generation.provider.nanobanana;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bodies shaped like the Gemini API's: answers with an image, text or a refusal, and
 * {@code google.rpc} errors with their details, as documented for {@code generateContent}.
 */
final class GeminiResponses {
  static final JsonMapper JSON = JsonMapper.shared();
  static final int PROMPT_TOKENS = 12;
  static final int TEXT_TOKENS = 9;
  static final int IMAGE_TOKENS = 1290;
  private static final String QUOTA_MESSAGE =
      "You exceeded your current quota, please check your plan and billing details.";

  private GeminiResponses() {}

  /** A successful answer: one candidate with a text part and a PNG part, and its usage. */
  static String imageAnswer(byte[] png, String text) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
    if (text != null) {
      parts.addObject().put("text", text);
    }
    parts.addObject().putObject("inlineData").put("mimeType", "image/png")
        .put("data", Base64.getEncoder().encodeToString(png));
    candidate.put("finishReason", "STOP").put("index", 0);
    usage(root, PROMPT_TOKENS, text == null ? 0 : TEXT_TOKENS, IMAGE_TOKENS);
    root.put("modelVersion", "gemini-2.5-flash-image").put("responseId", "resp-4711");
    return root.toString();
  }

  /** An answer without an image: the given finish reason and, when not null, a text part. */
  static String answerWithoutImage(String finishReason, String text) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    if (text != null) {
      candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", text);
    }
    candidate.put("finishReason", finishReason).put("index", 0);
    usage(root, PROMPT_TOKENS, text == null ? 0 : TEXT_TOKENS, 0);
    return root.put("responseId", "resp-no-image").toString();
  }

  /** A refused prompt: no candidates, only {@code promptFeedback.blockReason}. */
  static String blockedPrompt(String blockReason) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("promptFeedback").put("blockReason", blockReason);
    usage(root, PROMPT_TOKENS, 0, 0);
    return root.put("responseId", "resp-blocked").toString();
  }

  /** A {@code google.rpc.Status} error body. */
  static String error(int code, String status, String message, ObjectNode... details) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error").put("code", code).put("message", message).put("status", status);
    ArrayNode detailArray = error.putArray("details");
    for (ObjectNode detail : details) {
      detailArray.add(detail);
    }
    return root.toString();
  }

  static ObjectNode errorInfo(String reason, String... metadataKeysAndValues) {
    ObjectNode info = JSON.createObjectNode().put("@type", GeminiErrorClassifier.ERROR_INFO)
        .put("reason", reason).put("domain", "googleapis.com");
    ObjectNode metadata = info.putObject("metadata");
    for (int i = 0; i + 1 < metadataKeysAndValues.length; i += 2) {
      metadata.put(metadataKeysAndValues[i], metadataKeysAndValues[i + 1]);
    }
    return info;
  }

  static ObjectNode retryInfo(String retryDelay) {
    return JSON.createObjectNode().put("@type", GeminiErrorClassifier.RETRY_INFO).put("retryDelay", retryDelay);
  }

  static ObjectNode quotaFailure(String quotaId) {
    ObjectNode failure = JSON.createObjectNode().put("@type", GeminiErrorClassifier.QUOTA_FAILURE);
    failure.putArray("violations").addObject()
        .put("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests")
        .put("quotaId", quotaId);
    return failure;
  }

  /** The error Gemini answers for a wrong key (status 400, reason API_KEY_INVALID). */
  static String invalidApiKey() {
    return error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
        errorInfo("API_KEY_INVALID", "service", "generativelanguage.googleapis.com"));
  }

  /** A 429 for a per-minute quota, asking to wait {@code retryDelay}. */
  static String perMinuteQuota(String retryDelay) {
    return error(429, "RESOURCE_EXHAUSTED", QUOTA_MESSAGE,
        quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"), retryInfo(retryDelay));
  }

  /** A 429 for an exhausted daily quota; Gemini still names a short delay, which must not be trusted. */
  static String dailyQuota() {
    return error(429, "RESOURCE_EXHAUSTED", QUOTA_MESSAGE,
        quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier"), retryInfo("43s"));
  }

  /** A PNG of {@code width} x {@code height} pixels filled with {@code colour}. */
  static byte[] png(int width, int height, Color colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, colour.getRGB());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void usage(ObjectNode root, int prompt, int text, int image) {
    ObjectNode usage = root.putObject("usageMetadata").put("promptTokenCount", prompt)
        .put("candidatesTokenCount", text + image).put("totalTokenCount", prompt + text + image);
    ArrayNode details = usage.putArray("candidatesTokensDetails");
    for (String modality : List.of("TEXT", "IMAGE")) {
      int count = modality.equals("TEXT") ? text : image;
      if (count > 0) {
        details.addObject().put("modality", modality).put("tokenCount", count);
      }
    }
    usage.putArray("promptTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", prompt);
  }
}
