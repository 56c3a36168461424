package dev.imagejobs.gateway.web;

import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.security.TokenExpiry;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;

/**
 * The OpenAPI document at {@code /v3/api-docs}, generated from the controllers; {@code OpenApiIT}
 * checks that it lists exactly the routes the application maps.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
    info = @Info(title = "Image Jobs API", version = "v1",
        description = "Create image jobs, follow them live, fetch their images. Errors are RFC 9457 problem details."),
    security = @SecurityRequirement(name = OpenApiConfiguration.BEARER))
@SecurityScheme(name = OpenApiConfiguration.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
    bearerFormat = "JWT")
class OpenApiConfiguration {
  static final String BEARER = "bearer";
  static final String PROBLEM = "Problem";

  static {
    // The tenant comes from the token, not from the request: not a parameter clients send.
    SpringDocUtils.getConfig().addRequestWrapperToIgnore(Tenant.class, TokenExpiry.class);
  }

  /** Every operation may answer with a problem document (RFC 9457); say so once for all of them. */
  @Bean
  OpenApiCustomizer documentProblemResponses() {
    return openApi -> {
      openApi.getComponents().addSchemas(PROBLEM, new ObjectSchema()
          .description("RFC 9457 problem details")
          .addProperty("type", new StringSchema().format("uri"))
          .addProperty("title", new StringSchema())
          .addProperty("status", new IntegerSchema())
          .addProperty("detail", new StringSchema())
          .addProperty("instance", new StringSchema().format("uri"))
          .addProperty("errors", new ArraySchema().description("The invalid values of a 400")
              .items(new ObjectSchema()
                  .addProperty("field", new StringSchema())
                  .addProperty("message", new StringSchema()))));
      Schema<?> reference = new Schema<>().$ref("#/components/schemas/" + PROBLEM);
      Content problem = new Content().addMediaType(MediaType.APPLICATION_PROBLEM_JSON_VALUE,
          new io.swagger.v3.oas.models.media.MediaType().schema(reference));
      openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> operation.getResponses()
          .addApiResponse("4XX", new ApiResponse().description("Client error (400, 401, 404, 405, 406, 409, 413, 415, "
              + "422, 429)").content(problem))
          .addApiResponse("5XX", new ApiResponse().description("Server error").content(problem))));
    };
  }
}
