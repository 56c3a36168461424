package dev.imagejobs.storage;

import com.google.api.client.util.DateTime;
import com.google.api.services.storage.model.StorageObject;
import com.google.cloud.NoCredentials;
import com.google.cloud.Tuple;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import com.google.cloud.storage.spi.v1.StorageRpc;
import com.google.cloud.storage.testing.StorageRpcTestBase;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory GCS of google-cloud-nio ({@link LocalStorageHelper}), with the generation
 * preconditions real GCS enforces. The fake ignores {@code ifGenerationMatch} on writes (and
 * refuses any option when shared), and sets neither generation nor creation time, so this wrapper
 * checks the precondition atomically and answers 412 {@code conditionNotMet} as the JSON API does,
 * numbers generations, stamps {@code timeCreated}, and hands the fake requests without options.
 */
final class FakeGcs extends StorageRpcTestBase {
  /** The options this wrapper understands; any other would be silently dropped, so it is refused. */
  private static final Set<StorageRpc.Option> PRECONDITIONS = Set.of(StorageRpc.Option.IF_GENERATION_MATCH);

  private final StorageRpc fake;
  private final AtomicLong generations = new AtomicLong(System.currentTimeMillis() * 1000);

  private FakeGcs(StorageRpc fake) {
    this.fake = fake;
  }

  /** A client on a new, empty fake GCS. */
  static Storage storage() {
    StorageOptions options = LocalStorageHelper.getOptions();
    FakeGcs rpc = new FakeGcs((StorageRpc) options.getRpc());
    return options.toBuilder()
        .setCredentials(NoCredentials.getInstance())
        .setServiceRpcFactory(ignored -> rpc)
        .build()
        .getService();
  }

  @Override
  public synchronized StorageObject create(StorageObject object, InputStream content, Map<StorageRpc.Option, ?> options) {
    checkGeneration(object, options);
    object.setGeneration(generations.incrementAndGet());
    object.setMetageneration(1L);
    object.setTimeCreated(new DateTime(System.currentTimeMillis()));
    return fake.create(object, content, Map.of());
  }

  @Override
  public StorageObject get(StorageObject object, Map<StorageRpc.Option, ?> options) {
    return fake.get(object, Map.of());
  }

  @Override
  public byte[] load(StorageObject object, Map<StorageRpc.Option, ?> options) {
    synchronized (this) {
      checkGeneration(object, options);
    }
    return fake.load(object, Map.of());
  }

  @Override
  public synchronized boolean delete(StorageObject object, Map<StorageRpc.Option, ?> options) {
    checkGeneration(object, options);
    return fake.delete(object, Map.of());
  }

  /** A copy in one call, as GCS answers a rewrite within one bucket: the target's precondition checked first. */
  @Override
  public synchronized RewriteResponse openRewrite(RewriteRequest request) {
    if (!request.sourceOptions.isEmpty()) {
      throw new UnsupportedOperationException("Source options are not modelled by the fake");
    }
    checkGeneration(request.target, request.targetOptions);
    StorageObject source = fake.get(request.source, Map.of());
    if (source == null) {
      throw new StorageException(404, "No such object: " + request.source.getBucket() + "/" + request.source.getName());
    }
    byte[] content = fake.load(source, Map.of());
    StorageObject target = request.overrideInfo
        ? request.target.clone()
        : source.clone().setBucket(request.target.getBucket()).setName(request.target.getName());
    StorageObject created = create(target, new ByteArrayInputStream(content), Map.of());
    return new RewriteResponse(request, created, content.length, true, null, content.length);
  }

  @Override
  public Tuple<String, Iterable<StorageObject>> list(String bucket, Map<StorageRpc.Option, ?> options) {
    return fake.list(bucket, options);
  }

  /** As GCS: 412 when the live generation (0 for none) differs from the one required, 404 when a non-zero one is gone. */
  private void checkGeneration(StorageObject object, Map<StorageRpc.Option, ?> options) {
    for (StorageRpc.Option option : options.keySet()) {
      if (!PRECONDITIONS.contains(option)) {
        throw new UnsupportedOperationException("Option " + option + " is not modelled by the fake");
      }
    }
    Long required = (Long) options.get(StorageRpc.Option.IF_GENERATION_MATCH);
    if (required == null) {
      return;
    }
    StorageObject live = fake.get(new StorageObject().setBucket(object.getBucket()).setName(object.getName()), Map.of());
    if (live == null && required != 0) {
      throw new StorageException(404, "No such object: " + object.getBucket() + "/" + object.getName());
    }
    long generation = live == null ? 0 : live.getGeneration();
    if (generation != required) {
      throw new StorageException(412, "At least one of the pre-conditions you specified did not hold.",
          "conditionNotMet", null);
    }
  }
}
