package io.castbus.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The part of {@code kustomize build} that k8s/ uses: {@code resources} (files and kustomization folders),
 * {@code namespace} and strategic-merge {@code patches} by path. Any other kustomization field, or a patch that
 * matches no resource, is an error, so the manifests cannot silently rely on something this does not do.
 */
final class Kustomize {

  private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "namespace", "resources", "patches");
  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

  private Kustomize() {
  }

  /** The documents {@code kustomize build dir} would print. */
  static List<Map<String, Object>> build(Path dir) {
    var kustomization = load(dir.resolve("kustomization.yaml")).get(0);
    for (var field : kustomization.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(dir + ": kustomization field '" + field + "' is not supported");
      }
    }
    var out = new ArrayList<Map<String, Object>>();
    for (var resource : strings(kustomization.get("resources"))) {
      var path = dir.resolve(resource).normalize();
      out.addAll(Files.isDirectory(path) ? build(path) : load(path));
    }
    for (var patch : maps(kustomization.get("patches"))) {
      if (!patch.keySet().equals(Set.of("path"))) {
        throw new IllegalArgumentException(dir + ": only patches with a path are supported, got " + patch.keySet());
      }
      for (var doc : load(dir.resolve((String) patch.get("path")))) {
        var target = out.stream().filter(r -> sameResource(r, doc)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(dir + ": patch " + patch.get("path")
                + " matches no resource (" + doc.get("kind") + " " + name(doc) + ")"));
        merge(target, doc);
      }
    }
    var namespace = (String) kustomization.get("namespace");
    if (namespace != null) {
      out.stream().filter(r -> !CLUSTER_SCOPED.contains(r.get("kind"))).forEach(r -> metadata(r).put("namespace", namespace));
    }
    return out;
  }

  /** Every YAML document of a file, in order. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> load(Path file) {
    try (var in = Files.newBufferedReader(file)) {
      var docs = new ArrayList<Map<String, Object>>();
      for (var doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
        if (doc != null) {
          docs.add((Map<String, Object>) doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String name(Map<String, Object> resource) {
    return (String) metadata(resource).get("name");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> metadata(Map<String, Object> resource) {
    return (Map<String, Object>) resource.get("metadata");
  }

  private static boolean sameResource(Map<String, Object> a, Map<String, Object> b) {
    return a.get("apiVersion").equals(b.get("apiVersion")) && a.get("kind").equals(b.get("kind"))
        && name(a).equals(name(b));
  }

  /** Strategic merge: maps merge key by key, lists of named maps merge by name, other lists are replaced. */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> target, Map<String, Object> patch) {
    patch.forEach((key, value) -> {
      var current = target.get(key);
      if (value == null) {
        target.remove(key);
      } else if (current instanceof Map<?, ?> map && value instanceof Map<?, ?> patchMap) {
        merge((Map<String, Object>) map, (Map<String, Object>) patchMap);
      } else if (current instanceof List<?> list && value instanceof List<?> patchList && named(list) && named(patchList)) {
        for (var item : (List<Map<String, Object>>) patchList) {
          var match = ((List<Map<String, Object>>) list).stream()
              .filter(i -> i.get("name").equals(item.get("name"))).findFirst();
          if (match.isPresent()) {
            merge(match.get(), item);
          } else {
            ((List<Object>) list).add(new LinkedHashMap<>(item));
          }
        }
      } else {
        target.put(key, value);
      }
    });
  }

  private static boolean named(List<?> list) {
    return !list.isEmpty() && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") instanceof String);
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object value) {
    return value == null ? List.of() : (List<String>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }
}
