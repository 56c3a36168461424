package dev.imagejobs.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One of the services, run as {@code java -jar services/<name>-exec.jar} or as {@link Launch} says. */
final class ServiceProcess {

  /** The services of the stack. */
  enum Service {
    GATEWAY("gateway-service"),
    GENERATION("generation-service"),
    UPLOAD("upload-service"),
    STREAMS("streams-service"),
    WEBHOOKS("webhook-service");

    private final String artifactId;

    Service(String artifactId) {
      this.artifactId = artifactId;
    }

    String artifactId() {
      return artifactId;
    }

    Path jar(Path home) {
      return home.resolve("services").resolve(artifactId + "-exec.jar");
    }
  }

  static final Duration STOP_GRACE = Duration.ofSeconds(20);
  /** The most instances of one service a stack runs. */
  static final int MAX_INSTANCES = 4;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Service service;
  private final int port;
  private final ChildProcess process;

  private ServiceProcess(Service service, int port, ChildProcess process) {
    this.service = service;
    this.port = port;
    this.process = process;
  }

  /** How a service's process is started: its command line. */
  @FunctionalInterface
  interface Launch {
    /**
     * @param marker the JVM option identifying the stack's processes ({@link StateDirectory#marker()})
     */
    List<String> command(Service service, StackSettings settings, String marker);
  }

  /** The service's executable jar on the launcher's own JVM, with the stack's JVM options. */
  static final Launch JAR = (service, settings, marker) -> {
    Path jar = service.jar(settings.home());
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("Missing " + jar + "; build the project first (./mvnw -DskipTests install)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    settings.serviceJvmOptions().stream()
        .map(option -> option.replace(StackSettings.SERVICE_NAME_PLACEHOLDER, service.artifactId()))
        .forEach(command::add);
    command.add(marker);
    command.addAll(List.of("-jar", jar.toString()));
    return command;
  };

  /**
   * Starts the service without waiting for it.
   *
   * @param port its HTTP port ({@code SERVER_PORT})
   * @param environment the stack's wiring (Kafka, PostgreSQL, storage)
   */
  static ServiceProcess start(Service service, int instance, int port, StackSettings settings,
      Map<String, String> environment, Launch launch) {
    StateDirectory state = new StateDirectory(settings.stateDir());
    List<String> command = launch.command(service, settings, state.marker());
    Map<String, String> own = new HashMap<>(environment);
    own.put("SERVER_PORT", Integer.toString(port));
    String name = name(service, instance);
    ChildProcess process = ChildProcess.start(name, command, own, state.log(name), state.pidFile(name));
    return new ServiceProcess(service, port, process);
  }

  /** The process name of an instance: the service's for the first, then {@code gateway-service-2}, ... */
  static String name(Service service, int instance) {
    return instance == 1 ? service.artifactId() : service.artifactId() + "-" + instance;
  }

  /** Stops what a killed launcher left running of this instance of the service. */
  static void stopLeftover(Service service, int instance, StateDirectory state) {
    String name = name(service, instance);
    ChildProcess.stopLeftover(name, state.pidFile(name), state.marker(), STOP_GRACE);
  }

  /** Waits until {@code /actuator/health} reports UP. */
  void awaitHealthy(Duration timeout) {
    process.awaitReady("UP on " + healthUrl(), timeout, this::isUp);
  }

  Service service() {
    return service;
  }

  String baseUrl() {
    return "http://localhost:" + port;
  }

  ChildProcess process() {
    return process;
  }

  private URI healthUrl() {
    return URI.create(baseUrl() + "/actuator/health");
  }

  private boolean isUp() {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(healthUrl()).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().replace(" ", "").contains("\"status\":\"UP\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + service.artifactId(), e);
    }
  }
}
