package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static dev.imagejobs.infra.TestStacks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imagejobs.infra.ServiceProcess.Service;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The container images the build makes (on Linux, offline: {@code target/jib-image.tar} of each
 * service) are what production runs: a non-root user, JVM flags for containers, nothing but a Java
 * runtime and the application, and the four of them, each started from its own image's
 * filesystem, complete a job together against the stack's broker and database.
 */
class ContainerImagesE2EIT {

  private static final Path REPOSITORY = Path.of(System.getProperty("imagejobs.repository"));
  private static final String USER = "65532:65532";
  private static final Map<Service, String> MAIN_CLASSES = Map.of(
      Service.GATEWAY, "dev.imagejobs.gateway.GatewayApplication",
      Service.GENERATION, "dev.imagejobs.generation.GenerationApplication",
      Service.UPLOAD, "dev.imagejobs.upload.UploadApplication",
      Service.STREAMS, "dev.imagejobs.streams.StreamsApplication",
      Service.WEBHOOKS, "dev.imagejobs.webhooks.WebhookApplication");
  private static final Map<Service, Integer> PORTS = Map.of(
      Service.GATEWAY, 8080, Service.GENERATION, 8081, Service.UPLOAD, 8082, Service.STREAMS, 8083, Service.WEBHOOKS, 8084);

  @TempDir
  static Path work;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  private static final Map<Service, ServiceImage> IMAGES = new EnumMap<>(Service.class);

  @BeforeAll
  static void unpackImages() throws IOException {
    assumeTrue(System.getProperty("os.name").equals("Linux"), "the offline images are built on Linux only");
    for (Service service : Service.values()) {
      Path tarball = ServiceImage.tarball(REPOSITORY, service);
      assertThat(tarball).as("the build's image of %s", service.artifactId()).isRegularFile();
      IMAGES.put(service, ServiceImage.unpack(tarball, work.resolve("images").resolve(service.artifactId())));
    }
  }

  @Test
  void everyImageRunsItsServiceAsANonRootUserWithContainerJvmFlagsAndNothingButJavaAndTheApplication()
      throws IOException {
    for (Service service : Service.values()) {
      ServiceImage image = IMAGES.get(service);
      String name = service.artifactId();
      assertThat(image.user()).as(name).isEqualTo(USER);
      assertThat(image.entrypoint()).as(name)
          .startsWith("java")
          .contains("-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError", "-cp", "@/app/jib-classpath-file")
          .endsWith(MAIN_CLASSES.get(service));
      assertThat(image.environment()).as(name).contains("JAVA_HOME=/opt/java").anyMatch(
          variable -> variable.startsWith("PATH=/opt/java/bin:"));
      assertThat(image.exposedPorts()).as(name).containsExactly(PORTS.get(service) + "/tcp");
      assertThat(image.labels()).as(name).containsEntry("org.opencontainers.image.title", name);
      assertThat(image.contains("/opt/java/bin/java")).as(name).isTrue();
      assertThat(image.contains("/opt/java/lib/security/cacerts")).as("%s trusts public CAs", name).isTrue();
      assertThat(image.contains("/app/jib-classpath-file")).as(name).isTrue();
      assertThat(Files.readString(image.root().resolve("etc/passwd"))).as(name).contains("nonroot:x:65532:65532:");
      assertThat(image.contains("/bin/sh")).as("%s has no shell", name).isFalse();
      assertThat(image.contains("/usr/bin")).as("%s has no distribution tools", name).isFalse();
    }
  }

  @Test
  void theFourServicesStartedFromTheirImagesCompleteAJob() throws Exception {
    assumeTrue(ServiceImage.canRun(), "running an image without a container engine needs root, unshare and chroot");
    StackSettings settings = TestStacks.settings(work.resolve("state"), Map.of());
    StateDirectory state = new StateDirectory(settings.stateDir());
    LOGS.watch(state.logs());
    // The services write as the image's user, as they would to a volume owned by it.
    for (Path writable : List.of(state.storage(), state.root().resolve("streams-state"))) {
      chown(Files.createDirectories(writable));
    }
    ServiceProcess.Launch fromImage = (service, stackSettings, marker) ->
        IMAGES.get(service).command(state.root(), marker);

    try (RunningStack stack = LocalStack.start(settings, fromImage)) {
      for (ServiceProcess process : stack.services()) {
        long pid = process.process().pid();
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")))
            .as("%s runs in its image", process.service().artifactId())
            .isEqualTo(IMAGES.get(process.service()).root().toRealPath());
        assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            .as("%s runs as the image's user", process.service().artifactId())
            .anyMatch(line -> line.matches("Uid:\\s+65532\\s+65532\\s+65532\\s+65532"));
      }

      String jobId = submit(stack, assetKeyJob("hero", "A lighthouse at dawn", "16:9"));
      JsonNode view = TestStacks.awaitEnded(stack, jobId, Duration.ofSeconds(90));
      assertThat(view.path("status").asString()).as("job %s", view).isEqualTo("completed");
      HttpResponse<byte[]> image = TestStacks.get(stack, "/api/v1/images/jobs/" + jobId + "/image");
      assertThat(image.statusCode()).isEqualTo(200);
      assertThat(image.body()).startsWith(0x89, 'P', 'N', 'G');
    }
  }

  private static void chown(Path directory) throws IOException, InterruptedException {
    Process chown = new ProcessBuilder("chown", "-R", USER, directory.toString()).inheritIO().start();
    assertThat(chown.waitFor(1, TimeUnit.MINUTES) && chown.exitValue() == 0).as("chown %s", directory).isTrue();
  }
}
