package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class TenantResolverTest {

  private final TenantResolver resolver = new TenantResolver(new TenancySettings("local"));

  @Test
  void givenNoTenantHeaderThenTheDefaultTenantIsUsed() {
    assertThat(resolver.tenantOf(MockServerHttpRequest.get("/").build())).isEqualTo("local");
  }

  @Test
  void givenTenantHeaderThenItIsTheTenant() {
    assertThat(resolver.tenantOf(MockServerHttpRequest.get("/").header("X-Tenant-Id", "studio-7").build()))
        .isEqualTo("studio-7");
  }

  @Test
  void givenMalformedTenantHeaderThenTheRequestIsInvalid() {
    assertThatThrownBy(() -> resolver.tenantOf(MockServerHttpRequest.get("/").header("X-Tenant-Id", "a/b").build()))
        .isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("X-Tenant-Id");
  }
}
