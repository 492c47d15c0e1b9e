package io.castbus.gateway;

import io.castbus.common.files.PrivateFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DATA_DIR/admin-api-key: where a generated admin key is saved (mode 0600) and the log line that shows it once. */
final class AdminKeyFile {

  private static final Logger LOG = LoggerFactory.getLogger(AdminKeyFile.class);

  private AdminKeyFile() {
  }

  /** Saves the key and shows it once; a key that cannot be saved is still shown, and the start goes on. */
  static Future<Void> save(Vertx vertx, Path dataDir, String key) {
    var file = dataDir.resolve("admin-api-key").toAbsolutePath();
    return vertx.<Void>executeBlocking(() -> {
      Files.createDirectories(file.getParent());
      PrivateFiles.write(file, key + "\n");
      return null;
    }).onSuccess(v -> LOG.warn("Generated the admin API key (shown once, also saved to {}): {}", file, key))
        .recover(e -> {
          LOG.warn("Generated the admin API key but could not save it ({}); here it is, shown once: {}",
              e.getMessage(), key);
          return Future.succeededFuture();
        });
  }
}
