package dev.imagejobs.gateway.jobs;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Decides which tenant a request acts for: the {@code X-Tenant-Id} header, or the configured
 * default. The single place to replace when tokens carry the tenant.
 */
@Component
public class TenantResolver {
  static final String HEADER = "X-Tenant-Id";

  private final TenancySettings settings;

  TenantResolver(TenancySettings settings) {
    this.settings = settings;
  }

  /**
   * @throws InvalidInputException when the header is present but not a valid id
   */
  public String tenantOf(ServerHttpRequest request) {
    String header = request.getHeaders().getFirst(HEADER);
    if (header == null) {
      return settings.defaultTenant();
    }
    if (!Ids.isValid(header)) {
      throw new InvalidInputException(HEADER, Ids.MESSAGE);
    }
    return header;
  }
}
