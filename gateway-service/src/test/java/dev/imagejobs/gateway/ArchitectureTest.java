package dev.imagejobs.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.imagejobs.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule creationNeverTalksToKafka = noClasses()
      .that().resideInAnyPackage("..gateway.jobs..", "..gateway.idempotency..", "..gateway.web..")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..")
      .because("job creation must never wait for Kafka: its events leave through the outbox (ADR 3)");

  @ArchTest
  static final ArchRule readModelIsWrittenOnlyThroughItsOnePath = noClasses()
      .that().resideOutsideOfPackages("..gateway.readmodel..")
      .should().dependOnClassesThat().haveSimpleName("JobFold")
      .because("ReadModel.apply is the one write path, so creation and replay fold events the same way");

  @ArchTest
  static final ArchRule noFieldInjection = NO_CLASSES_SHOULD_USE_FIELD_INJECTION
      .because("dependencies are constructor-injected");

  @ArchTest
  static final ArchRule noStandardStreams = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS
      .because("services log through SLF4J");

  @ArchTest
  static final ArchRule noJavaUtilLogging = NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;
}
