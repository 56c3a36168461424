package dev.imagejobs.gateway.ratelimit;

import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.SqlPart;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Admission by backlog: a tenant whose queued jobs reach {@code imagejobs.admission.max-queued-per-tenant}
 * gets {@code 429} with {@code Retry-After} instead of a job that would wait behind them. The check is
 * part of the statement that creates the job and reads only the tenant's own backlog rows, so it
 * makes no creation wait for another, of this tenant or any other. Concurrent creations of one
 * tenant may each see the count just below the limit, so a tenant can go over it by the number of
 * its creations in flight at once ({@code BacklogLimitIT}).
 */
@Component
public class BacklogLimit {
  /** The statement part this check defines; it returns a row when the job may be created. */
  public static final String ADMITTED = "admitted";

  private final AdmissionSettings settings;

  BacklogLimit(AdmissionSettings settings) {
    this.settings = settings;
  }

  /** Defines {@link #ADMITTED} for a job of {@code tenantId}. */
  public SqlPart admitted(String tenantId) {
    if (settings.maxQueuedPerTenant() == 0) {
      return new SqlPart(ADMITTED + " AS (SELECT)", Map.of());
    }
    return new SqlPart(ADMITTED + " AS (SELECT WHERE " + ReadModel.queuedJobsOf("admission_tenant")
        + " < :admission_max_queued)",
        Map.of("admission_tenant", tenantId, "admission_max_queued", settings.maxQueuedPerTenant()));
  }

  /** The answer to a creation that {@link #admitted} refused. */
  public ErrorResponseException refused() {
    long seconds = settings.retryAfterSeconds();
    return Refusals.retryLater(HttpStatus.TOO_MANY_REQUESTS, "Too many queued jobs",
        "Too many of this tenant's jobs are waiting for generation (at most " + settings.maxQueuedPerTenant()
            + "); try again in " + seconds + " s",
        seconds);
  }
}
