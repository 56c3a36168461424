package dev.imagejobs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.tokens.DevTokens;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/** How start-up chooses the verification key, with the real application.yml and application-local.yml. */
class JwtSettingsTest {
  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withInitializer(new ConfigDataApplicationContextInitializer())
      .withUserConfiguration(Decoder.class);

  @Test
  void givenNeitherSecretNorJwksThenStartUpFailsSayingWhatToSet() {
    context.run(ctx -> assertThat(ctx).hasFailed().getFailure()
        .rootCause().hasMessageContaining("IMAGEJOBS_JWT_SECRET").hasMessageContaining("IMAGEJOBS_JWT_JWKS_URI"));
  }

  @Test
  void givenBothSecretAndJwksThenStartUpFails() {
    context.withPropertyValues("imagejobs.jwt.secret=" + "s".repeat(40), "imagejobs.jwt.jwks-uri=http://idp/jwks")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("exactly one"));
  }

  @Test
  void givenSecretShorterThan32BytesThenStartUpFails() {
    context.withPropertyValues("imagejobs.jwt.secret=short")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("32 bytes"));
  }

  @Test
  void givenTheLocalProfileWithoutSecretThenTokensOfTheDevelopmentSecretAreAccepted() {
    context.withPropertyValues("spring.profiles.active=local").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(JwtSettings.class).keySource()).isEqualTo(JwtSettings.KeySource.DEV_SECRET);
      Jwt jwt = ctx.getBean(ReactiveJwtDecoder.class)
          .decode(DevTokens.mint(DevTokens.LOCAL_SECRET, "local", Duration.ofMinutes(5)))
          .block();
      assertThat(jwt.getClaimAsString("tenant")).isEqualTo("local");
    });
  }

  @Test
  void givenASecretThenTheDevelopmentSecretIsRefusedEvenWhenAllowed() {
    context.withPropertyValues("imagejobs.jwt.secret=" + "s".repeat(40), "imagejobs.jwt.allow-dev-secret=true")
        .run(ctx -> {
          assertThat(ctx.getBean(JwtSettings.class).keySource()).isEqualTo(JwtSettings.KeySource.SECRET);
          ReactiveJwtDecoder decoder = ctx.getBean(ReactiveJwtDecoder.class);
          assertThat(decoder.decode(DevTokens.mint("s".repeat(40), "t1", Duration.ofMinutes(5))).block()).isNotNull();
          assertThat(decoder.decode(DevTokens.mint(DevTokens.LOCAL_SECRET, "t1", Duration.ofMinutes(5)))
              .onErrorResume(e -> Mono.empty()).block()).isNull();
        });
  }

  @Test
  void givenThePublishedDevelopmentSecretAsSecretThenStartUpFailsUnlessLocalDevelopmentIsOn() {
    context.withPropertyValues("imagejobs.jwt.secret=" + DevTokens.LOCAL_SECRET)
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
            .hasMessageContaining("published development secret").hasMessageContaining("IMAGEJOBS_JWT_ALLOW_DEV_SECRET"));
    context.withPropertyValues("imagejobs.jwt.secret=" + DevTokens.LOCAL_SECRET, "imagejobs.jwt.allow-dev-secret=true")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(JwtSettings.class).keySource()).isEqualTo(JwtSettings.KeySource.DEV_SECRET);
        });
  }

  @Test
  void givenACustomTenantClaimThenOnlyTokensCarryingItAreAccepted() {
    context.withPropertyValues("imagejobs.jwt.secret=" + "s".repeat(40), "imagejobs.jwt.tenant-claim=org")
        .run(ctx -> {
          ReactiveJwtDecoder decoder = ctx.getBean(ReactiveJwtDecoder.class);
          String withOrg = DevTokens.mint("s".repeat(40), "org", "acme", Duration.ofMinutes(5), Instant.now());
          assertThat(decoder.decode(withOrg).block().getClaimAsString("org")).isEqualTo("acme");
          String withTenant = DevTokens.mint("s".repeat(40), "acme", Duration.ofMinutes(5));
          assertThat(decoder.decode(withTenant).onErrorResume(e -> Mono.empty()).block())
              .isNull();
        });
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(JwtSettings.class)
  static class Decoder {
    @Bean
    ReactiveJwtDecoder jwtDecoder(JwtSettings settings) {
      return TokenVerification.decoder(settings);
    }
  }
}
