package dev.imagejobs.messaging;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The {@link ModelCatalogue} of every service that checks what a model can take (gateway, generation). */
@AutoConfiguration
@EnableConfigurationProperties(ModelSettings.class)
public class ModelCatalogueAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  ModelCatalogue modelCatalogue(ModelSettings settings) {
    return new ModelCatalogue(settings);
  }
}
