package dev.imagejobs.upload.storage;

import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.FilesystemBlobStore;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The blob store bean: {@code new FilesystemBlobStore(dir/bucket)}, as every service opens it. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

  @Bean
  BlobStore blobStore(StorageProperties storage) {
    return new FilesystemBlobStore(Path.of(storage.dir()).resolve(storage.bucket()));
  }
}
