package dev.imagejobs.upload;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.imagejobs.upload", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule checksAndPathsArePure = noClasses()
      .that().resideInAnyPackage("..upload.inspection..", "..upload.paths..")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..",
          "dev.imagejobs.messaging..", "dev.imagejobs.storage.GcsBlobStore", "com.google.cloud..")
      .because("artifact checks and the path layout are plain functions, tested without a broker or a bucket");

  @ArchTest
  static final ArchRule onlyTheStorageFactoryPicksAStore = noClasses()
      .should().dependOnClassesThat().haveSimpleName("GcsBlobStore")
      .orShould().dependOnClassesThat().haveSimpleName("FilesystemBlobStore")
      .because("the messaging module's StorageAutoConfiguration opens the configured store; the service "
          + "works on the BlobStore SPI, whichever store it is");

  @ArchTest
  static final ArchRule noFieldInjection = NO_CLASSES_SHOULD_USE_FIELD_INJECTION
      .because("dependencies are constructor-injected");

  @ArchTest
  static final ArchRule noStandardStreams = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS
      .because("services log through SLF4J");

  @ArchTest
  static final ArchRule noJavaUtilLogging = NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;
}
