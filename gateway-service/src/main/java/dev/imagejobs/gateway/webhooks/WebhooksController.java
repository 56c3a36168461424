package dev.imagejobs.gateway.webhooks;

import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.WebhookEventType;
import dev.imagejobs.messaging.WebhookProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A tenant's webhook endpoints: register, list, read, change, delete, rotate the secret, read the log, redeliver. */
@RestController
@Validated
class WebhooksController {
  static final String WEBHOOKS = "/api/v1/images/webhooks";
  static final String WEBHOOK = WEBHOOKS + "/{endpointId}";
  private static final List<String> STATUSES = List.of("pending", "delivered", "failed");

  private final WebhookEndpoints endpoints;
  private final WebhookSecrets secrets;
  private final WebhookPing ping;
  private final WebhookProperties settings;

  WebhooksController(WebhookEndpoints endpoints, WebhookSecrets secrets, WebhookPing ping, WebhookProperties settings) {
    this.endpoints = endpoints;
    this.secrets = secrets;
    this.ping = ping;
    this.settings = settings;
  }

  @Operation(summary = "Register a webhook endpoint", description = "The endpoint is sent a webhook.ping, signed "
      + "with its secret, and must answer it with a 2xx. The answer carries the signing secret, shown this once; "
      + "give your own in 'secret' to verify the ping too.")
  @ApiResponse(responseCode = "201", description = "Registered; the body holds the secret")
  @ApiResponse(responseCode = "422", description = "The URL is not allowed or the endpoint did not accept the ping")
  @ApiResponse(responseCode = "503", description = "Webhooks are not set up on this deployment")
  @PostMapping(path = WEBHOOKS, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<WebhookEndpointView>> register(@Valid @RequestBody WebhookEndpointRequest body, Tenant tenant) {
    secrets.requireConfigured();
    URI url = url(body.url(), "url");
    List<String> types = eventTypes(body.eventTypes());
    UUID id = UUID.randomUUID();
    String secret = body.secret() == null ? secrets.generate() : secrets.checked(body.secret(), "secret");
    return ping.ping(url, id.toString(), body.projectId(), List.of(secret))
        .then(Mono.defer(() -> endpoints.insert(tenant.id(), id, body, types, secrets.seal(secret))))
        .map(view -> ResponseEntity.created(URI.create(WEBHOOKS + "/" + id)).body(view.withSecret(secret)));
  }

  @Operation(summary = "List the tenant's webhook endpoints", description = "Optionally of one project.")
  @GetMapping(path = WEBHOOKS, produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<WebhookEndpointView> list(
      @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String projectId,
      Tenant tenant) {
    return endpoints.list(tenant.id(), projectId);
  }

  @Operation(summary = "Read a webhook endpoint", description = "Shows whether it is enabled, and why not.")
  @ApiResponse(responseCode = "404", description = "No such endpoint for this tenant")
  @GetMapping(path = WEBHOOK, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<WebhookEndpointView> get(@PathVariable String endpointId, Tenant tenant) {
    return endpoints.find(tenant.id(), id(endpointId)).switchIfEmpty(notFound(endpointId));
  }

  @Operation(summary = "Change a webhook endpoint", description = "A new URL is pinged first. enabled=true "
      + "enables a disabled endpoint again; its pending deliveries resume.")
  @ApiResponse(responseCode = "422", description = "The new URL is not allowed or did not accept the ping")
  @PatchMapping(path = WEBHOOK, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<WebhookEndpointView> update(@PathVariable String endpointId, @Valid @RequestBody WebhookEndpointUpdate body,
      Tenant tenant) {
    secrets.requireConfigured();
    UUID id = id(endpointId);
    URI url = body.url() == null ? null : url(body.url(), "url");
    List<String> types = body.eventTypes() == null ? null : eventTypes(body.eventTypes());
    Mono<WebhookEndpointView> current = endpoints.find(tenant.id(), id).switchIfEmpty(notFound(endpointId));
    return current.flatMap(endpoint -> url == null ? Mono.just(endpoint)
            // Signed as its deliveries are, so a receiver that verifies every request accepts it.
            : endpoints.sealedSecrets(tenant.id(), id).map(secrets::open)
                .flatMap(signing -> ping.ping(url, endpointId, endpoint.projectId(), signing)).thenReturn(endpoint))
        .then(Mono.defer(() -> endpoints.update(tenant.id(), id, body, types)))
        .switchIfEmpty(notFound(endpointId));
  }

  @Operation(summary = "Delete a webhook endpoint", description = "With its pending deliveries and its log.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @DeleteMapping(path = WEBHOOK)
  Mono<ResponseEntity<Void>> delete(@PathVariable String endpointId, Tenant tenant) {
    return endpoints.delete(tenant.id(), id(endpointId))
        .flatMap(found -> found ? Mono.just(ResponseEntity.noContent().<Void>build()) : notFound(endpointId));
  }

  @Operation(summary = "Rotate an endpoint's signing secret", description = "Deliveries are signed with the new "
      + "secret and, until previousSecretExpiresAt, with the previous one too (two signatures in webhook-signature).")
  @PostMapping(path = WEBHOOK + "/secret/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<SecretRotation> rotate(@PathVariable String endpointId, Tenant tenant) {
    secrets.requireConfigured();
    String secret = secrets.generate();
    return endpoints.rotate(tenant.id(), id(endpointId), secrets.seal(secret), settings.secretRotationOverlap())
        .map(expires -> new SecretRotation(secret, expires))
        .switchIfEmpty(notFound(endpointId));
  }

  @Operation(summary = "Read an endpoint's delivery log", description = "Its latest deliveries, newest first, "
      + "each with every attempt: time, HTTP status, latency, error.")
  @GetMapping(path = WEBHOOK + "/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<WebhookDeliveryView>> deliveries(@PathVariable String endpointId,
      @RequestParam(required = false) String status,
      @RequestParam(defaultValue = "50") @Min(value = 1, message = "must be 1 to 200")
      @Max(value = 200, message = "must be 1 to 200") int limit,
      Tenant tenant) {
    if (status != null && !STATUSES.contains(status)) {
      throw new InvalidInputException("status", "must be one of " + STATUSES);
    }
    UUID id = id(endpointId);
    return endpoints.find(tenant.id(), id).switchIfEmpty(notFound(endpointId))
        .flatMap(endpoint -> endpoints.deliveries(tenant.id(), id, status, limit).collectList());
  }

  @Operation(summary = "Send a delivery again", description = "Due at once, with its retry schedule from the "
      + "start, whether it was delivered, failed or still pending; the same webhook-id, so receivers can tell.")
  @ApiResponse(responseCode = "202", description = "It will be sent shortly")
  @PostMapping(path = WEBHOOK + "/deliveries/{deliveryId}/redeliver")
  Mono<ResponseEntity<Void>> redeliver(@PathVariable String endpointId, @PathVariable long deliveryId, Tenant tenant) {
    return endpoints.redeliver(tenant.id(), id(endpointId), deliveryId)
        .map(delivered -> ResponseEntity.accepted().<Void>build())
        .switchIfEmpty(Mono.error(() -> notFoundProblem("Endpoint " + endpointId + " has no delivery " + deliveryId)));
  }

  /** An absolute http(s) URL without user info or fragment; where it may point is the ping's check. */
  private static URI url(String text, String field) {
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(field, "must be an absolute http or https URL");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!url.isAbsolute() || url.isOpaque() || !(scheme.equals("https") || scheme.equals("http"))
        || url.getHost() == null) {
      throw new InvalidInputException(field, "must be an absolute http or https URL");
    }
    if (url.getRawUserInfo() != null || url.getRawFragment() != null) {
      throw new InvalidInputException(field, "must not carry user info or a fragment");
    }
    return url;
  }

  private static List<String> eventTypes(List<String> requested) {
    for (String type : requested) {
      if (WebhookEventType.of(type).isEmpty()) {
        throw new InvalidInputException("eventTypes", "must each be one of " + WebhookEventType.wireNames());
      }
    }
    return List.copyOf(new LinkedHashSet<>(requested));
  }

  private static UUID id(String endpointId) {
    try {
      return UUID.fromString(endpointId);
    } catch (IllegalArgumentException e) {
      throw notFoundProblem("No webhook endpoint " + endpointId);
    }
  }

  private static <T> Mono<T> notFound(String endpointId) {
    return Mono.error(() -> notFoundProblem("No webhook endpoint " + endpointId));
  }

  private static ErrorResponseException notFoundProblem(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail);
    problem.setTitle("Not found");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }
}
