package dev.imagejobs.generation;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.imagejobs.messaging.Later;

@AnalyzeClasses(packages = "dev.imagejobs.generation", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule providersTouchNeitherKafkaNorStorage = noClasses()
      .that().resideInAPackage("..generation.provider..")
      .should().dependOnClassesThat(resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..",
          "dev.imagejobs.messaging..", "dev.imagejobs.schemas..", "dev.imagejobs.storage..", "..generation.jobs..")
          // The one way to wait, then continue (JDK only), which the local provider's latency uses too.
          .and(not(equivalentTo(Later.class))))
      .because("a provider turns a prompt into an image; the job runner owns events, staging and retries");

  @ArchTest
  static final ArchRule providersNeverBlockForTheirLatency = noClasses()
      .that().resideInAPackage("..generation.provider..")
      .should().callMethod(Thread.class, "sleep", long.class)
      .because("a provider waits in its future, so many jobs in flight hold no threads (ADR 8)");

  @ArchTest
  static final ArchRule noFieldInjection = NO_CLASSES_SHOULD_USE_FIELD_INJECTION
      .because("dependencies are constructor-injected");

  @ArchTest
  static final ArchRule noStandardStreams = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS
      .because("services log through SLF4J");

  @ArchTest
  static final ArchRule noJavaUtilLogging = NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;
}
