package dev.imagejobs.audit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.kafka.core.KafkaTemplate;

@AnalyzeClasses(packages = "dev.imagejobs.audit", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule neverPublishes = noClasses()
      .should().dependOnClassesThat().areAssignableTo(Producer.class)
      .orShould().dependOnClassesThat().areAssignableTo(KafkaTemplate.class)
      .because("the audit is read-only: it re-publishes nothing");

  @ArchTest
  static final ArchRule neverCommitsOffsets = noClasses()
      .should().callMethod(org.apache.kafka.clients.consumer.KafkaConsumer.class, "commitSync")
      .orShould().callMethod(org.apache.kafka.clients.consumer.KafkaConsumer.class, "commitAsync")
      .because("the audit reads without a consumer group and leaves no trace on the cluster");
}
