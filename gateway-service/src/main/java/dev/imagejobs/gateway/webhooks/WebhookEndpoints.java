package dev.imagejobs.gateway.webhooks;

import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** The webhook tables as the API reads and changes them; every statement is scoped to one tenant. */
@Component
class WebhookEndpoints {
  private static final String COLUMNS = "id, project_id, url, description, event_types, enabled, disabled_at,"
      + " disabled_reason, failing_since, previous_secret_expires_at, created_at";

  private final DatabaseClient db;
  private final JsonMapper json;

  WebhookEndpoints(DatabaseClient db, JsonMapper json) {
    this.db = db;
    this.json = json;
  }

  Mono<WebhookEndpointView> insert(String tenantId, UUID id, WebhookEndpointRequest request, List<String> eventTypes,
      byte[] sealedSecret) {
    DatabaseClient.GenericExecuteSpec insert = db.sql("INSERT INTO webhook_endpoints"
            + " (id, tenant_id, project_id, url, description, event_types, secret)"
            + " VALUES (:id, :tenant, :project, :url, :description, :types, :secret) RETURNING " + COLUMNS)
        .bind("id", id).bind("tenant", tenantId).bind("project", request.projectId()).bind("url", request.url())
        .bind("types", eventTypes.toArray(String[]::new)).bind("secret", sealedSecret);
    insert = request.description() == null ? insert.bindNull("description", String.class)
        : insert.bind("description", request.description());
    return insert.map(WebhookEndpoints::view).one();
  }

  Flux<WebhookEndpointView> list(String tenantId, String projectId) {
    DatabaseClient.GenericExecuteSpec select = db.sql("SELECT " + COLUMNS + " FROM webhook_endpoints"
        + " WHERE tenant_id = :tenant" + (projectId == null ? "" : " AND project_id = :project")
        + " ORDER BY created_at, id").bind("tenant", tenantId);
    return (projectId == null ? select : select.bind("project", projectId)).map(WebhookEndpoints::view).all();
  }

  Mono<WebhookEndpointView> find(String tenantId, UUID id) {
    return db.sql("SELECT " + COLUMNS + " FROM webhook_endpoints WHERE tenant_id = :tenant AND id = :id")
        .bind("tenant", tenantId).bind("id", id).map(WebhookEndpoints::view).one();
  }

  /** Applies what {@code update} sets; {@code url} has been pinged. Empty when there is no such endpoint. */
  Mono<WebhookEndpointView> update(String tenantId, UUID id, WebhookEndpointUpdate update, List<String> eventTypes) {
    Map<String, Object> values = new LinkedHashMap<>();
    StringBuilder set = new StringBuilder("updated_at = now()");
    if (update.url() != null) {
      set.append(", url = :url");
      values.put("url", update.url());
    }
    if (eventTypes != null) {
      set.append(", event_types = :types");
      values.put("types", eventTypes.toArray(String[]::new));
    }
    if (update.description() != null) {
      set.append(", description = :description");
      values.put("description", update.description());
    }
    if (Boolean.TRUE.equals(update.enabled())) {
      set.append(", enabled = true, disabled_at = NULL, disabled_reason = NULL, failing_since = NULL");
    } else if (Boolean.FALSE.equals(update.enabled())) {
      set.append(", enabled = false, disabled_at = CASE WHEN enabled THEN now() ELSE disabled_at END,"
          + " disabled_reason = CASE WHEN enabled THEN 'Disabled by its owner' ELSE disabled_reason END");
    }
    DatabaseClient.GenericExecuteSpec statement = db.sql("UPDATE webhook_endpoints SET " + set
        + " WHERE tenant_id = :tenant AND id = :id RETURNING " + COLUMNS).bind("tenant", tenantId).bind("id", id);
    for (Map.Entry<String, Object> value : values.entrySet()) {
      statement = statement.bind(value.getKey(), value.getValue());
    }
    return statement.map(WebhookEndpoints::view).one();
  }

  /** The endpoint's sealed secrets: the current one, then the previous one while it still signs. */
  Mono<List<byte[]>> sealedSecrets(String tenantId, UUID id) {
    return db.sql("SELECT secret, CASE WHEN previous_secret_expires_at > now() THEN previous_secret END AS previous"
            + " FROM webhook_endpoints WHERE tenant_id = :tenant AND id = :id")
        .bind("tenant", tenantId).bind("id", id)
        .map(row -> {
          byte[] previous = row.get("previous", byte[].class);
          return previous == null ? List.of(row.get("secret", byte[].class))
              : List.of(row.get("secret", byte[].class), previous);
        }).one();
  }

  /** Whether there was such an endpoint; its deliveries and their log go with it. */
  Mono<Boolean> delete(String tenantId, UUID id) {
    return db.sql("DELETE FROM webhook_endpoints WHERE tenant_id = :tenant AND id = :id")
        .bind("tenant", tenantId).bind("id", id).fetch().rowsUpdated().map(rows -> rows > 0);
  }

  /**
   * Makes {@code sealedSecret} the signing secret; the one before keeps signing for {@code overlap}.
   * Empty when there is no such endpoint.
   */
  Mono<Instant> rotate(String tenantId, UUID id, byte[] sealedSecret, Duration overlap) {
    return db.sql("UPDATE webhook_endpoints SET previous_secret = secret, secret = :secret,"
            + " previous_secret_expires_at = now() + make_interval(secs => :overlap), updated_at = now()"
            + " WHERE tenant_id = :tenant AND id = :id RETURNING previous_secret_expires_at")
        .bind("secret", sealedSecret).bind("overlap", overlap.toMillis() / 1000.0)
        .bind("tenant", tenantId).bind("id", id)
        .map(row -> instant(row, "previous_secret_expires_at")).one();
  }

  /** The endpoint's latest deliveries, newest first, each with its attempts. */
  Flux<WebhookDeliveryView> deliveries(String tenantId, UUID endpointId, String status, int limit) {
    DatabaseClient.GenericExecuteSpec select = db.sql("SELECT d.id, d.event_id, d.job_id, d.event_type, d.status,"
            + " d.next_attempt_at, d.created_at, d.ended_at, coalesce((SELECT json_agg(json_build_object("
            + "'attempt', a.attempt, 'attemptedAt', to_char(a.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'statusCode', a.status_code,"
            + " 'latencyMs', a.latency_ms, 'error', a.error, 'response', a.response_excerpt) ORDER BY a.attempt)"
            + " FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]')::text AS attempts"
            + " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id"
            + " WHERE e.tenant_id = :tenant AND d.endpoint_id = :endpoint"
            + (status == null ? "" : " AND d.status = :status") + " ORDER BY d.id DESC LIMIT :limit")
        .bind("tenant", tenantId).bind("endpoint", endpointId).bind("limit", limit);
    return (status == null ? select : select.bind("status", status)).map(this::delivery).all();
  }

  /**
   * Makes the delivery due now with its retry schedule from the start, whatever it ended as.
   * Empty when the endpoint or delivery is not the tenant's.
   */
  Mono<Long> redeliver(String tenantId, UUID endpointId, long deliveryId) {
    return db.sql("UPDATE webhook_deliveries d SET status = 'pending', schedule_step = 0, next_attempt_at = now(),"
            + " ended_at = NULL FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.tenant_id = :tenant"
            + " AND d.endpoint_id = :endpoint AND d.id = :delivery RETURNING d.id")
        .bind("tenant", tenantId).bind("endpoint", endpointId).bind("delivery", deliveryId)
        .map(row -> row.get("id", Long.class)).one();
  }

  private static WebhookEndpointView view(Readable row) {
    return new WebhookEndpointView(row.get("id", UUID.class).toString(), row.get("project_id", String.class),
        row.get("url", String.class), row.get("description", String.class),
        Arrays.asList(row.get("event_types", String[].class)), Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
        instant(row, "disabled_at"), row.get("disabled_reason", String.class), instant(row, "failing_since"),
        instant(row, "previous_secret_expires_at"), instant(row, "created_at"), null);
  }

  private WebhookDeliveryView delivery(Readable row) {
    return new WebhookDeliveryView(row.get("id", Long.class), "msg_" + row.get("event_id", String.class),
        row.get("job_id", String.class), row.get("event_type", String.class), row.get("status", String.class),
        instant(row, "next_attempt_at"), instant(row, "created_at"), instant(row, "ended_at"),
        List.of(json.readValue(row.get("attempts", String.class), WebhookDeliveryView.Attempt[].class)));
  }

  private static Instant instant(Readable row, String column) {
    OffsetDateTime value = row.get(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
