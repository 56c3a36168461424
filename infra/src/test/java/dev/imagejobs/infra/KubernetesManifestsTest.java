package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.TopicSettings;
import dev.imagejobs.schemas.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests of {@code deploy/kubernetes}, checked without a cluster: every resource
 * of the base and the local overlay reads as its Kubernetes (fabric8 model) or Strimzi type; each
 * service has probes on its port, resources, a non-root read-only container and a termination
 * grace period that covers its drain; every setting in the ConfigMap and Secret is one a service
 * reads; the KafkaTopic resources are the topic catalogue with the ConfigMap's settings; the
 * overlay patches only what the base declares.
 */
class KubernetesManifestsTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path BASE = ROOT.resolve("deploy/kubernetes/base");
  private static final Path LOCAL = ROOT.resolve("deploy/kubernetes/overlays/local");
  private static final YAMLMapper YAML = new YAMLMapper();
  /** Reads and writes the model types as the Kubernetes client does (quantities, int-or-string ports). */
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
  /** Secrets created by others: Strimzi's cluster CA certificate. */
  private static final Set<String> EXTERNAL_SECRETS = Set.of("image-jobs-cluster-ca-cert");

  /** Each service: its port variable and port, and the setting its shutdown must wait for. */
  private record ServiceSpec(String name, String portVariable, int port, String drainSetting) {}

  private static final List<ServiceSpec> SERVICES = List.of(
      new ServiceSpec("gateway-service", "SERVER_PORT", 8080, null),
      new ServiceSpec("generation-service", "SERVER_PORT", 8081, "IMAGEJOBS_GENERATION_DRAIN_TIMEOUT"),
      new ServiceSpec("upload-service", "SERVER_PORT", 8082, "IMAGEJOBS_UPLOAD_DRAIN_TIMEOUT"),
      new ServiceSpec("streams-service", "SERVER_PORT", 8083, "IMAGEJOBS_STREAMS_CLOSE_TIMEOUT"),
      new ServiceSpec("webhook-service", "SERVER_PORT", 8084, null));

  @Test
  void everyServiceRunsWithProbesResourcesAGracePeriodCoveringItsDrainAndNoRoot() {
    Resources base = Resources.of(BASE);
    Map<String, String> config = base.one(ConfigMap.class, "image-jobs-config").getData();

    for (ServiceSpec service : SERVICES) {
      PodTemplateSpec template = base.podTemplate(service.name());
      PodSpec pod = template.getSpec();
      Container container = pod.getContainers().get(0);
      assertThat(container.getImage()).isEqualTo("image-jobs/" + service.name());
      assertThat(container.getPorts()).singleElement().satisfies(port -> {
        assertThat(port.getName()).isEqualTo("http");
        assertThat(port.getContainerPort()).isEqualTo(service.port());
      });
      assertThat(container.getEnv()).as(service.name())
          .anySatisfy(env -> assertThat(env).isEqualTo(new EnvVar(service.portVariable(), "" + service.port(), null)));
      assertProbe(container.getLivenessProbe(), "/actuator/health/liveness");
      assertProbe(container.getReadinessProbe(), "/actuator/health/readiness");
      assertProbe(container.getStartupProbe(), "/actuator/health/liveness");
      assertThat(container.getResources().getRequests()).as(service.name()).containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits()).as(service.name()).containsKey("memory");
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getVolumeMounts()).anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
      long preStop = container.getLifecycle().getPreStop().getSleep().getSeconds();
      long drain = service.drainSetting() == null ? 30 : seconds(config.get(service.drainSetting()));
      assertThat(pod.getTerminationGracePeriodSeconds()).as("%s: grace period", service.name())
          .isGreaterThanOrEqualTo(preStop + drain + 5);
      assertThat(pod.getServiceAccountName()).isEqualTo(base.one(ServiceAccount.class, "image-jobs").getMetadata().getName());
      for (EnvFromSource source : container.getEnvFrom()) {
        if (source.getConfigMapRef() != null) {
          base.one(ConfigMap.class, source.getConfigMapRef().getName());
        } else {
          base.one(Secret.class, source.getSecretRef().getName());
        }
      }
      for (EnvVar env : container.getEnv()) {
        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
          String secret = env.getValueFrom().getSecretKeyRef().getName();
          assertThat(EXTERNAL_SECRETS.contains(secret) || base.has("KafkaUser", secret))
              .as("%s: secret %s is made by Strimzi", service.name(), secret).isTrue();
        }
      }
      String user = "image-jobs-" + service.name().replace("-service", "");
      assertThat(container.getEnv()).as("%s uses its own Kafka user", service.name()).anySatisfy(env -> {
        assertThat(env.getName()).isEqualTo("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG");
        assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo(user);
      });
      for (Volume volume : pod.getVolumes()) {
        if (volume.getSecret() != null) {
          assertThat(EXTERNAL_SECRETS).contains(volume.getSecret().getSecretName());
        }
      }
      assertThat(base.all(PodDisruptionBudget.class)).as("%s: disruption budget", service.name())
          .anySatisfy(budget -> assertThat(budget.getSpec().getSelector().getMatchLabels())
              .isEqualTo(template.getMetadata().getLabels()));
    }
    Service gateway = base.one(Service.class, "gateway-service");
    assertThat(gateway.getSpec().getSelector()).isEqualTo(base.podTemplate("gateway-service").getMetadata().getLabels());
    assertThat(gateway.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    StatefulSet streams = base.one(StatefulSet.class, "streams-service");
    assertThat(streams.getSpec().getVolumeClaimTemplates()).singleElement()
        .satisfies(claim -> assertThat(streams.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
            .anySatisfy(mount -> {
              assertThat(mount.getName()).isEqualTo(claim.getMetadata().getName());
              assertThat(mount.getMountPath()).isEqualTo(config.get("IMAGEJOBS_STREAMS_STATE_DIR"));
            }));
  }

  @Test
  void everySettingInTheConfigMapsAndSecretsIsOneAServiceReads() throws IOException {
    SettingsMetadata settings = SettingsMetadata.ofServices();
    List<String> named = new ArrayList<>();
    for (Path root : List.of(BASE, LOCAL)) {
      Resources resources = Resources.of(root);
      resources.all(ConfigMap.class).forEach(map -> named.addAll(map.getData().keySet()));
      resources.all(Secret.class).forEach(secret -> named.addAll(secret.getStringData().keySet()));
    }
    JsonNode local = kustomization(LOCAL);
    for (JsonNode generator : local.path("secretGenerator")) {
      generator.path("literals").forEach(literal -> named.add(literal.asText().split("=", 2)[0]));
    }
    for (JsonNode patch : local.path("patches")) {
      for (JsonNode document : documents(LOCAL.resolve(patch.path("path").asText()))) {
        document.path("data").fieldNames().forEachRemaining(named::add);
      }
    }

    assertThat(named).isNotEmpty().allSatisfy(name -> assertThat(settings.isRead(name))
        .as("%s is read by a service", name).isTrue());
  }

  @Test
  void theKafkaTopicsAreTheCatalogueWithTheConfiguredPartitionsReplicationAndRetention() {
    Resources base = Resources.of(BASE);
    Map<String, String> config = base.one(ConfigMap.class, "image-jobs-config").getData();
    assertThat(config).containsEntry("IMAGEJOBS_TOPICS_CREATE", "false");
    TopicSettings settings = new TopicSettings(
        Integer.parseInt(config.get("IMAGEJOBS_TOPICS_PARTITIONS")),
        Integer.parseInt(config.get("IMAGEJOBS_TOPICS_DLQ_PARTITIONS")),
        Short.parseShort(config.get("IMAGEJOBS_TOPICS_REPLICATION_FACTOR")),
        Integer.parseInt(config.get("IMAGEJOBS_TOPICS_MIN_INSYNC_REPLICAS")),
        Long.parseLong(config.get("IMAGEJOBS_TOPICS_LIFECYCLE_RETENTION_MS")),
        Long.parseLong(config.get("IMAGEJOBS_TOPICS_COMPLETED_RETENTION_MS")),
        Long.parseLong(config.get("IMAGEJOBS_TOPICS_DLQ_RETENTION_MS")),
        Long.parseLong(config.get("IMAGEJOBS_TOPICS_ENDED_RUNS_RETENTION_MS")));

    Map<String, GenericKubernetesResource> topics = new HashMap<>();
    for (GenericKubernetesResource topic : base.all(GenericKubernetesResource.class)) {
      assertThat(topic.getApiVersion()).isEqualTo("kafka.strimzi.io/v1beta2");
      assertThat(topic.getKind()).isEqualTo("KafkaTopic");
      assertThat(topic.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "image-jobs");
      topics.put(topic.getMetadata().getName(), topic);
    }
    List<NewTopic> catalogue = Topics.newTopics(settings, TopicNames.UNPREFIXED);
    assertThat(topics).hasSameSizeAs(catalogue);
    for (NewTopic expected : catalogue) {
      GenericKubernetesResource topic = topics.get(expected.name());
      assertThat(topic).as(expected.name()).isNotNull();
      Map<String, Object> spec = topic.get("spec");
      assertThat(spec).containsEntry("partitions", expected.numPartitions())
          .containsEntry("replicas", (int) expected.replicationFactor());
      Map<String, String> declared = new HashMap<>();
      ((Map<?, ?>) spec.get("config")).forEach((key, value) -> declared.put(key.toString(), value.toString()));
      assertThat(declared).as(expected.name()).isEqualTo(expected.configs());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void eachKafkaUserMayUseOnlyTheTopicsAndTheGroupOfItsService() {
    Resources base = Resources.of(BASE);
    Set<String> catalogue = new HashSet<>();
    Topics.all().forEach(topic -> catalogue.add(topic.name()));
    Map<String, String> groups = Map.of(
        "image-jobs-gateway", "image-jobs-gateway-projection",
        "image-jobs-generation", "image-jobs-generation",
        "image-jobs-upload", "image-jobs-upload",
        "image-jobs-streams", "image-jobs-streams",
        "image-jobs-webhook", "image-jobs-webhooks");

    assertThat(base.users()).extracting(user -> user.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(groups.keySet());
    for (GenericKubernetesResource user : base.users()) {
      String name = user.getMetadata().getName();
      assertThat(user.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "image-jobs");
      assertThat((String) user.get("spec", "authentication", "type")).isEqualTo("scram-sha-512");
      List<Map<String, Object>> acls = user.get("spec", "authorization", "acls");
      Set<String> groupsUsed = new HashSet<>();
      for (Map<String, Object> acl : acls) {
        Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
        String resourceName = (String) resource.get("name");
        switch ((String) resource.get("type")) {
          case "topic" -> assertThat(catalogue.contains(resourceName)
              || ("image-jobs-streams".equals(name) && "prefix".equals(resource.get("patternType"))
                  && resourceName.startsWith("image-jobs-streams-")))
              .as("%s: topic %s", name, resourceName).isTrue();
          case "group" -> groupsUsed.add(resourceName);
          case "transactionalId" -> assertThat(name).isEqualTo("image-jobs-streams");
          default -> throw new AssertionError(name + ": unexpected ACL resource " + resource);
        }
      }
      assertThat(groupsUsed).as(name).containsExactly(groups.get(name));
    }
  }

  @Test
  void theLocalOverlayPatchesOnlyWhatTheBaseDeclaresAndItsResourcesRead() throws IOException {
    Resources base = Resources.of(BASE);
    Resources local = Resources.of(LOCAL);
    JsonNode kustomization = kustomization(LOCAL);
    assertThat(kustomization.path("resources").get(0).asText()).isEqualTo("../../base");
    for (JsonNode patch : kustomization.path("patches")) {
      for (JsonNode document : documents(LOCAL.resolve(patch.path("path").asText()))) {
        String kind = document.path("kind").asText();
        String name = document.path("metadata").path("name").asText();
        assertThat(base.has(kind, name) || local.has(kind, name)).as("patch of %s %s", kind, name).isTrue();
      }
    }
    for (JsonNode generator : kustomization.path("secretGenerator")) {
      assertThat(generator.path("behavior").asText()).isEqualTo("replace");
      base.one(Secret.class, generator.path("name").asText());
    }
    JsonNode images = kustomization(BASE).path("images");
    for (ServiceSpec service : SERVICES) {
      assertThat(images.findValuesAsText("name")).contains("image-jobs/" + service.name());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theComposeFileRunsEveryServiceFromTheImageOfItsBuildWithSettingsTheServicesRead() throws IOException {
    // SnakeYAML itself: the file shares settings through YAML merge keys, which it resolves.
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("compose.yaml")));
    Map<String, Object> services = (Map<String, Object>) compose.get("services");
    SettingsMetadata settings = SettingsMetadata.ofServices();
    Matcher version = Pattern.compile("<artifactId>image-jobs</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(version.find()).isTrue();

    for (ServiceSpec service : SERVICES) {
      Map<String, Object> definition = (Map<String, Object>) services.get(service.name());
      assertThat(definition).as(service.name()).isNotNull();
      assertThat(definition).as(service.name())
          .containsEntry("image", "image-jobs/" + service.name() + ":" + version.group(1))
          .containsEntry("pull_policy", "never");
      Map<String, Object> environment = (Map<String, Object>) definition.get("environment");
      assertThat(environment).containsEntry(service.portVariable(), "" + service.port())
          .containsKeys("SPRING_KAFKA_BOOTSTRAP_SERVERS", "IMAGEJOBS_STORAGE_TYPE");
      assertThat(environment.keySet()).allSatisfy(name -> assertThat(settings.isRead(name))
          .as("%s is read by a service", name).isTrue());
    }
    assertThat((List<String>) ((Map<String, Object>) services.get("gateway-service")).get("ports")).containsExactly("8080:8080");
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  private static long seconds(String setting) {
    try {
      return Duration.parse("PT" + setting.toUpperCase(Locale.ROOT)).toSeconds();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("Not a duration: " + setting, e);
    }
  }

  private static JsonNode kustomization(Path folder) throws IOException {
    return YAML.readTree(folder.resolve("kustomization.yaml").toFile());
  }

  private static List<JsonNode> documents(Path file) {
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      List<JsonNode> all = new ArrayList<>();
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && !document.isNull() && !document.isEmpty()) {
          all.add(document);
        }
      }
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** The resources a kustomization lists, each read as its model type. */
  private record Resources(List<HasMetadata> items) {
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
        Map.entry("v1/ConfigMap", ConfigMap.class),
        Map.entry("v1/Secret", Secret.class),
        Map.entry("v1/Service", Service.class),
        Map.entry("v1/ServiceAccount", ServiceAccount.class),
        Map.entry("apps/v1/Deployment", Deployment.class),
        Map.entry("apps/v1/StatefulSet", StatefulSet.class),
        Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
        Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", GenericKubernetesResource.class),
        Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", GenericKubernetesResource.class),
        Map.entry("kafka.strimzi.io/v1beta2/Kafka", GenericKubernetesResource.class),
        Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", GenericKubernetesResource.class));

    static Resources of(Path folder) {
      List<HasMetadata> items = new ArrayList<>();
      JsonNode kustomization;
      try {
        kustomization = kustomization(folder);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (JsonNode resource : kustomization.path("resources")) {
        Path file = folder.resolve(resource.asText());
        if (Files.isDirectory(file)) {
          continue; // another kustomization, read on its own
        }
        assertThat(file).as("resource of %s", folder).isRegularFile();
        for (JsonNode document : documents(file)) {
          String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
          Class<? extends HasMetadata> model = TYPES.get(type);
          assertThat(model).as("%s in %s", type, file).isNotNull();
          HasMetadata item = KUBERNETES.unmarshal(document.toString(), model);
          assertThat(item.getMetadata().getName()).as("a %s in %s", type, file).isNotBlank();
          if (!(item instanceof GenericKubernetesResource)) {
            // A value of the wrong type or shape reads back differently; a misspelt or misplaced
            // field lands in a model object's additional properties.
            assertThat(reread(item)).as("%s %s as read", type, file).isEqualTo(document);
            assertNoUnknownFields(item, file.getFileName() + ": " + type + " " + item.getMetadata().getName());
          }
          items.add(item);
        }
      }
      return new Resources(items);
    }

    /** Fails on any field the Kubernetes API does not define, anywhere in the object. */
    private static void assertNoUnknownFields(Object node, String path) {
      if (node instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          assertNoUnknownFields(list.get(i), path + "[" + i + "]");
        }
        return;
      }
      if (node == null || !node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
        return;
      }
      for (Method getter : node.getClass().getMethods()) {
        if (!getter.getName().startsWith("get") || getter.getParameterCount() != 0
            || getter.getDeclaringClass() == Object.class) {
          continue;
        }
        Object value;
        try {
          value = getter.invoke(node);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        if (getter.getName().equals("getAdditionalProperties")) {
          assertThat((Map<?, ?>) value).as("fields unknown to Kubernetes in %s", path).isNullOrEmpty();
        } else {
          assertNoUnknownFields(value, path + "." + getter.getName().substring(3));
        }
      }
    }

    private static JsonNode reread(HasMetadata item) {
      try {
        return YAML.readTree(KUBERNETES.asYaml(item));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return items.stream().filter(type::isInstance).map(type::cast)
          .filter(item -> !(item instanceof GenericKubernetesResource generic) || "KafkaTopic".equals(generic.getKind()))
          .toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
      return all(type).stream().filter(item -> item.getMetadata().getName().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError("No " + type.getSimpleName() + " " + name));
    }

    List<GenericKubernetesResource> users() {
      return items.stream().filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast)
          .filter(item -> "KafkaUser".equals(item.getKind())).toList();
    }

    boolean has(String kind, String name) {
      return items.stream().anyMatch(item -> item.getKind().equals(kind) && item.getMetadata().getName().equals(name));
    }

    PodTemplateSpec podTemplate(String name) {
      return items.stream()
          .filter(item -> item.getMetadata().getName().equals(name))
          .map(item -> item instanceof Deployment deployment ? deployment.getSpec().getTemplate()
              : item instanceof StatefulSet set ? set.getSpec().getTemplate() : null)
          .filter(template -> template != null)
          .findFirst().orElseThrow(() -> new AssertionError("No workload " + name));
    }
  }
}
