package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.FilesystemBlobStore;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest {
  @TempDir Path storage;

  private final List<SpecificRecord> published = new ArrayList<>();
  private final AtomicInteger providerCalls = new AtomicInteger();
  private FilesystemBlobStore store;
  private JobRunner runner;

  @BeforeEach
  void setUp() {
    store = new FilesystemBlobStore(storage);
    LocalImageProvider local = new LocalImageProvider(new LocalProviderSettings("#fail", Duration.ZERO, 0, 128));
    ImageProvider counting = new ImageProvider() {
      @Override
      public String name() {
        return local.name();
      }

      @Override
      public ImageArtifact generate(GenerationRequest request) {
        providerCalls.incrementAndGet();
        return local.generate(request);
      }
    };
    runner = new JobRunner(new ProviderRegistry(List.of(counting)), new ArtifactStager(store), published::add,
        new EventMetadataFactory("generation", Clock.systemUTC()));
  }

  @Test
  void announcesStartAttemptAndTheStagedImage() throws Exception {
    JobRequested requested = Events.aJobRequested("job-1");

    runner.run(requested.getMetadata(), requested.getSpec());

    assertThat(types()).containsExactly(
        EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    ImageGenerated generated = (ImageGenerated) published.get(2);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-1/attempt-1.png");
    byte[] staged = store.get(new BlobPath(generated.getStagedRef())).orElseThrow().content();
    assertThat(generated.getSha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(staged)));
    assertThat(generated.getSizeBytes()).isEqualTo(staged.length);
    assertThat(generated.getWidth()).isEqualTo(128);
    assertThat(generated.getHeight()).isEqualTo(72);
    assertThat(generated.getSpec()).isEqualTo(requested.getSpec());
  }

  @Test
  void aProviderFailureEndsTheJobAtStageGenerating() {
    JobRequested requested = Events.aJobRequested("job-2");
    requested.getSpec().setPrompt("Thunder #fail");

    runner.run(requested.getMetadata(), requested.getSpec());

    assertThat(types()).containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_FAILED);
    JobFailed failed = (JobFailed) published.get(2);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo("LOCAL_FAIL_MARKER");
    assertThat(failed.getMessage()).contains("#fail");
  }

  @Test
  void aRedeliveredRequestReusesTheStagedArtifactAndRepeatsTheSameEventIds() {
    JobRequested requested = Events.aJobRequested("job-3");
    runner.run(requested.getMetadata(), requested.getSpec());
    List<String> firstIds = eventIds();
    published.clear();

    runner.run(requested.getMetadata(), requested.getSpec());

    assertThat(providerCalls).hasValue(1);
    assertThat(eventIds()).isEqualTo(firstIds);
    assertThat(((ImageGenerated) published.get(2)).getActualCostMicros()).isZero();
  }

  @Test
  void anUnknownProviderFailsTheJobPermanentlyWithAClearMessage() {
    JobRequested requested = Events.aJobRequested("job-4");
    requested.getSpec().setProvider("imaginary");

    runner.run(requested.getMetadata(), requested.getSpec());

    JobFailed failed = (JobFailed) published.get(2);
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getMessage()).contains("imaginary").contains("local");
  }

  @Test
  void styleTextIsAppendedToThePrompt() {
    JobRequested requested = Events.aJobRequested("job-5");
    requested.getSpec().setStyleText("charcoal sketch");
    assertThat(JobRunner.promptOf(requested.getSpec())).endsWith("Style: charcoal sketch")
        .startsWith(requested.getSpec().getPrompt());
  }

  private List<EventType> types() {
    return published.stream().map(e -> LifecycleEvent.of(e).type()).toList();
  }

  private List<String> eventIds() {
    return published.stream().map(e -> LifecycleEvent.of(e).metadata().getEventId()).toList();
  }
}
