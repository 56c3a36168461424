package dev.imagejobs.generation.storage;

import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.FilesystemBlobStore;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The blob store generated artifacts are staged in. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

  @Bean
  BlobStore blobStore(StorageSettings settings) {
    return new FilesystemBlobStore(Path.of(settings.dir()).resolve(settings.bucket()));
  }
}
