package dev.imagejobs.gateway.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How requests are attributed to a tenant until token-based authentication exists.
 *
 * @param defaultTenant the tenant of requests without an {@code X-Tenant-Id} header
 */
@ConfigurationProperties("imagejobs.tenancy")
record TenancySettings(String defaultTenant) {
  TenancySettings {
    if (!Ids.isValid(defaultTenant)) {
      throw new IllegalArgumentException("imagejobs.tenancy.default-tenant " + Ids.MESSAGE);
    }
  }
}
