package dev.imagejobs.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.imagejobs.storage", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule storageKnowsNothingOfMessaging = noClasses()
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "dev.imagejobs.schemas..",
          "org.springframework..")
      .because("stores hold bytes; events and wiring belong to the services");
}
