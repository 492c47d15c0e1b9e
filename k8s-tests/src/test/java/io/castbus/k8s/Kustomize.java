package io.castbus.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The manifests as operators build them: {@code kubectl kustomize <dir>} (kubectl's built-in kustomize), its
 * output read back as documents. A kustomization kubectl refuses is an error naming kubectl's reason.
 */
final class Kustomize {

  private Kustomize() {
  }

  /** The documents {@code kubectl kustomize dir} prints. */
  static List<Map<String, Object>> build(Path dir) {
    Process process;
    try {
      process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
    } catch (IOException e) {
      throw new AssertionError("kubectl is not installed (.ci/run installs it): " + e.getMessage(), e);
    }
    try {
      var errors = new StringBuilder();
      var stderr = new Thread(() -> {
        try {
          errors.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // the exit code says it failed
        }
      });
      stderr.start();
      var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl kustomize " + dir + " did not finish within 60 s");
      }
      stderr.join();
      if (process.exitValue() != 0) {
        throw new IllegalArgumentException("kubectl kustomize " + dir + ": " + errors.toString().strip());
      }
      var docs = new ArrayList<Map<String, Object>>();
      for (var doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(out)) {
        if (doc != null) {
          @SuppressWarnings("unchecked")
          var map = (Map<String, Object>) doc;
          docs.add(map);
        }
      }
      return docs;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("kubectl kustomize " + dir + " failed: " + e.getMessage(), e);
    }
  }

  static String name(Map<String, Object> resource) {
    return (String) metadata(resource).get("name");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> metadata(Map<String, Object> resource) {
    return (Map<String, Object>) resource.get("metadata");
  }
}
