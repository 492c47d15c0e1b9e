package io.castbus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.castbus.common.config.Settings;
import io.castbus.common.ops.OpsRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Kubernetes manifests in k8s/")
class ManifestsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path BASE = ROOT.resolve("k8s/base");
  private static final Path DEV = ROOT.resolve("k8s/overlays/dev");
  /** Deployment component → the module whose jar it runs. */
  private static final Map<String, String> MODULES = Map.of("gateway", "gateway", "scheduler", "scheduler-verticle",
      "feeds", "feeds-verticle", "downloads", "downloads-verticle", "cleanup", "cleanup-verticle");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"base", "overlays/dev"})
  @DisplayName("every document of the built output is valid against the Kubernetes API schema, names unique")
  void schemaValid(String dir) {
    var docs = Kustomize.build(ROOT.resolve("k8s").resolve(dir));
    assertThat(docs).isNotEmpty();
    docs.forEach(Schema::validate);
    var ids = docs.stream().map(d -> d.get("kind") + "/" + Kustomize.name(d)).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(docs).allSatisfy(d -> assertThat(d.get("kind").equals("Namespace")
        || "castbus".equals(Kustomize.metadata(d).get("namespace"))).as(d.get("kind") + " namespace").isTrue());
  }

  @Test
  @DisplayName("the schema check refuses a misspelt field and a missing required one; kubectl kustomize refuses an "
      + "unmatched patch")
  void checksCanFail(@TempDir Path dir) throws Exception {
    var deployment = deployment(Kustomize.build(BASE), "gateway");
    var template = map(map(deployment, "spec"), "template");
    map(template, "spec").put("enableServiceLink", false);
    assertThatThrownBy(() -> Schema.validate(deployment)).hasMessageContaining("enableServiceLink");

    var service = Kustomize.build(BASE).stream().filter(d -> d.get("kind").equals("Service")).findFirst().orElseThrow();
    map(service, "spec").remove("ports");
    var port = new java.util.LinkedHashMap<String, Object>(Map.of("name", "http"));
    map(service, "spec").put("ports", List.of(port));
    assertThatThrownBy(() -> Schema.validate(service)).hasMessageContaining("port");

    // kustomize takes bases by relative path only.
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: [" + dir.toAbsolutePath().relativize(BASE)
        + "]\npatches:\n  - path: p.yaml\n");
    Files.writeString(dir.resolve("p.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\n");
    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("no resource matches");
  }

  @Test
  @DisplayName("the dev overlay resolves: its patches apply, PostgreSQL runs in-cluster, the gateway has an Ingress")
  void devOverlay() {
    var base = Kustomize.build(BASE);
    var dev = Kustomize.build(DEV);
    assertThat(kinds(base)).doesNotContain("StatefulSet", "Ingress");
    assertThat(stringData(base, "castbus-secrets").get("DATABASE_URL")).doesNotContain("castbus-postgres");

    var postgres = dev.stream().filter(d -> d.get("kind").equals("StatefulSet")).toList();
    assertThat(postgres).hasSize(1);
    assertThat(map(postgres.get(0), "spec").get("replicas")).isEqualTo(1);
    var devSecret = stringData(dev, "castbus-secrets");
    assertThat(devSecret.get("DATABASE_URL")).startsWith("postgresql://castbus:castbus-dev@castbus-postgres:5432/");
    assertThat(devSecret).containsKeys("ADMIN_API_KEY", "CLUSTER_SECRET", "SMTP_PASSWORD");
    assertThat(configData(dev).get("LOG_FORMAT")).isEqualTo("text");
    assertThat(configData(dev).get("CLUSTER_K8S_SERVICE_DNS")).isEqualTo(configData(base).get("CLUSTER_K8S_SERVICE_DNS"));

    var ingress = dev.stream().filter(d -> d.get("kind").equals("Ingress")).findFirst().orElseThrow();
    assertThat(ingress.toString()).contains("name=castbus-gateway");
    assertThat(named(dev, "Service", "castbus-gateway")).isNotNull();
  }

  @Test
  @DisplayName("every Deployment's environment names settings the code reads, and the secrets come from the Secret")
  void envNamesAreSettings() {
    var docs = Kustomize.build(DEV);
    for (var d : deployments(docs)) {
      var names = new HashSet<String>();
      for (var container : containers(d)) {
        list(container, "env").forEach(e -> names.add((String) e.get("name")));
        for (var from : list(container, "envFrom")) {
          if (from.containsKey("configMapRef")) {
            names.addAll(dataOf(named(docs, "ConfigMap", (String) map(from, "configMapRef").get("name")), "data"));
          } else {
            names.addAll(dataOf(named(docs, "Secret", (String) map(from, "secretRef").get("name")), "stringData"));
          }
        }
      }
      assertThat(names).as(Kustomize.name(d) + " env").isSubsetOf(Settings.KEYS)
          .contains("DATABASE_URL", "CLUSTER_K8S_SERVICE_DNS", "CLUSTER_HOST", "CLUSTER_SECRET", "ADMIN_API_KEY");
    }
    var secret = stringData(docs, "castbus-secrets").keySet();
    assertThat(configData(docs).keySet()).doesNotContainAnyElementsOf(
        List.of("DATABASE_URL", "ADMIN_API_KEY", "CLUSTER_SECRET", "SMTP_PASSWORD", "CLUSTER_TLS_PASSWORD"));
    assertThat(secret).contains("DATABASE_URL", "ADMIN_API_KEY", "CLUSTER_SECRET", "SMTP_USER", "SMTP_PASSWORD");
    assertThat(Settings.load(configData(docs), Settings.AuthMode.REQUIRED).httpPort()).isEqualTo(8000);
  }

  @Test
  @DisplayName("the probes' paths are the ones the code serves, on the port named http = HTTP_PORT")
  void probes() throws Exception {
    var docs = Kustomize.build(BASE);
    var httpPort = Integer.parseInt(configData(docs).get("HTTP_PORT"));
    var openapi = Files.readString(ROOT.resolve("gateway/src/main/resources/openapi.yaml"));
    for (var path : List.of(OpsRoutes.LIVE, OpsRoutes.READY, OpsRoutes.STARTED)) {
      assertThat(openapi).as("the gateway's contract").contains("\n  " + path + ":\n");
    }
    for (var d : deployments(docs)) {
      var container = containers(d).get(0);
      var http = list(container, "ports").stream().filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow();
      assertThat(http.get("containerPort")).isEqualTo(httpPort);
      assertThat(map(map(container, "startupProbe"), "httpGet")).containsEntry("path", OpsRoutes.STARTED)
          .containsEntry("port", "http");
      assertThat(map(map(container, "livenessProbe"), "httpGet")).containsEntry("path", OpsRoutes.LIVE)
          .containsEntry("port", "http");
      assertThat(map(map(container, "readinessProbe"), "httpGet")).containsEntry("path", OpsRoutes.READY)
          .containsEntry("port", "http");
    }
  }

  @Test
  @DisplayName("one Deployment per verticle, its image the module's Jib image")
  void imagesMatchJib() throws Exception {
    var docs = Kustomize.build(DEV);
    var components = new HashSet<String>();
    for (var d : deployments(docs)) {
      var component = component(d);
      components.add(component);
      var module = MODULES.get(component);
      assertThat(module).as("module of " + Kustomize.name(d)).isNotNull();
      assertThat(containers(d).get(0).get("image")).as(Kustomize.name(d)).isEqualTo(jibImage(module));
    }
    assertThat(components).isEqualTo(MODULES.keySet());
  }

  @Test
  @DisplayName("each Deployment: resources, no service links, pod IP as CLUSTER_HOST, time to hand runs back, a PDB")
  void deploymentsForClusterLife() {
    var docs = Kustomize.build(BASE);
    for (var d : deployments(docs)) {
      var name = Kustomize.name(d);
      var pod = map(map(map(d, "spec"), "template"), "spec");
      assertThat(pod.get("enableServiceLinks")).as(name).isEqualTo(false);
      var container = containers(d).get(0);
      assertThat(map(map(container, "resources"), "requests")).as(name).containsKeys("cpu", "memory");
      assertThat(map(map(container, "resources"), "limits")).as(name).containsKey("memory");
      var clusterHost = list(container, "env").stream().filter(e -> e.get("name").equals("CLUSTER_HOST")).findFirst()
          .orElseThrow();
      assertThat(map(map(clusterHost, "valueFrom"), "fieldRef")).containsEntry("fieldPath", "status.podIP");
      var preStop = (List<?>) map(map(map(container, "lifecycle"), "preStop"), "exec").get("command");
      var sleep = Integer.parseInt((String) preStop.get(preStop.size() - 1));
      // the process itself needs at most 10 s after SIGTERM to hand its runs back and leave the cluster
      assertThat((Integer) pod.get("terminationGracePeriodSeconds")).as(name).isGreaterThanOrEqualTo(sleep + 10 + 5);
      var labels = map(map(map(d, "spec"), "template"), "metadata");
      var podLabels = map(labels, "labels");
      assertThat(docs.stream().filter(x -> x.get("kind").equals("PodDisruptionBudget"))
          .filter(pdb -> selects(map(map(pdb, "spec"), "selector"), podLabels))).as(name + " PDB").hasSize(1);
      var headless = named(docs, "Service", "castbus-cluster");
      assertThat(podLabels.entrySet()).as(name + " in the headless Service")
          .containsAll(map(map(headless, "spec"), "selector").entrySet());
    }
    var headless = map(named(docs, "Service", "castbus-cluster"), "spec");
    assertThat(headless).containsEntry("clusterIP", "None").containsEntry("publishNotReadyAddresses", true);
    assertThat(configData(docs).get("CLUSTER_K8S_SERVICE_DNS")).startsWith("castbus-cluster.castbus.svc");
  }

  @Test
  @DisplayName("feeds and downloads scale by HPA; the library is one RWX volume at DOWNLOAD_DIR, read-only in the gateway; cluster ports only from Castbus pods")
  void scalingStorageAndNetwork() {
    var docs = Kustomize.build(BASE);
    var targets = docs.stream().filter(d -> d.get("kind").equals("HorizontalPodAutoscaler"))
        .map(h -> (String) map(map(h, "spec"), "scaleTargetRef").get("name")).toList();
    assertThat(targets).containsExactlyInAnyOrder("castbus-feeds", "castbus-downloads");
    targets.forEach(t -> assertThat(named(docs, "Deployment", t)).isNotNull());

    var pvc = named(docs, "PersistentVolumeClaim", "castbus-downloads");
    assertThat(map(pvc, "spec").get("accessModes")).isEqualTo(List.of("ReadWriteMany"));
    var downloadDir = configData(docs).get("DOWNLOAD_DIR");
    for (var component : List.of("feeds", "downloads", "cleanup", "gateway")) {
      var d = deployment(docs, component);
      var volume = list(map(map(map(d, "spec"), "template"), "spec"), "volumes").stream()
          .filter(v -> v.containsKey("persistentVolumeClaim")
              && "castbus-downloads".equals(map(v, "persistentVolumeClaim").get("claimName")))
          .findFirst().orElseThrow();
      var readOnly = component.equals("gateway");
      assertThat(map(volume, "persistentVolumeClaim").getOrDefault("readOnly", false)).as(component).isEqualTo(readOnly);
      assertThat(list(containers(d).get(0), "volumeMounts")).as(component)
          .anySatisfy(m -> {
            assertThat(m).containsEntry("name", volume.get("name")).containsEntry("mountPath", downloadDir);
            assertThat(m.getOrDefault("readOnly", false)).as(component + " mount").isEqualTo(readOnly);
          });
    }

    var policy = named(docs, "NetworkPolicy", "castbus-cluster-members-only");
    var spec = map(policy, "spec");
    assertThat(map(map(spec, "podSelector"), "matchLabels")).containsEntry("castbus.io/cluster-member", "true");
    var rules = list(spec, "ingress");
    assertThat(rules).hasSize(2);
    assertThat(rules).anySatisfy(r -> assertThat(r).containsOnlyKeys("from"));
    var open = rules.stream().filter(r -> !r.containsKey("from")).findFirst().orElseThrow();
    assertThat(list(open, "ports")).extracting(p -> p.get("port")).containsExactly(8000);
    for (var d : deployments(docs)) {
      assertThat(map(map(map(map(d, "spec"), "template"), "metadata"), "labels"))
          .containsEntry("castbus.io/cluster-member", "true");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"base", "overlays/dev"})
  @DisplayName("pods as operators harden them: the namespace enforces the restricted Pod Security profile, no pod "
      + "mounts a service-account token, replicas spread over nodes, the autoscaler alone sets feeds' and downloads' "
      + "scale")
  void hardenedPods(String dir) {
    var docs = Kustomize.build(ROOT.resolve("k8s").resolve(dir));
    var namespace = named(docs, "Namespace", "castbus");
    assertThat(map(Kustomize.metadata(namespace), "labels"))
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted");
    var autoscaled = docs.stream().filter(d -> d.get("kind").equals("HorizontalPodAutoscaler"))
        .map(h -> (String) map(map(h, "spec"), "scaleTargetRef").get("name")).toList();
    for (var d : docs) {
      if (!List.of("Deployment", "StatefulSet").contains(d.get("kind"))) {
        continue;
      }
      var name = Kustomize.name(d);
      var spec = map(d, "spec");
      var pod = map(map(spec, "template"), "spec");
      assertThat(pod.get("automountServiceAccountToken")).as(name + " token").isEqualTo(false);
      assertThat(map(pod, "securityContext")).as(name).containsEntry("runAsNonRoot", true);
      if (autoscaled.contains(name)) {
        assertThat(spec).as(name + ": the autoscaler owns the scale").doesNotContainKey("replicas");
      }
      var replicas = autoscaled.contains(name) ? 2 : (Integer) spec.getOrDefault("replicas", 1);
      if (d.get("kind").equals("Deployment") && replicas > 1) {
        var spread = list(pod, "topologySpreadConstraints");
        assertThat(spread).as(name + " spread").hasSize(1);
        assertThat(spread.get(0)).containsEntry("topologyKey", "kubernetes.io/hostname");
        assertThat(map(map(spread.get(0), "labelSelector"), "matchLabels"))
            .isEqualTo(map(spec, "selector").get("matchLabels"));
      }
    }
  }

  @Test
  @DisplayName("feeds and downloads may reach public addresses, DNS, PostgreSQL and Castbus pods, never the private "
      + "ranges or the metadata address")
  void fetchersEgress() {
    var docs = Kustomize.build(BASE);
    var policy = named(docs, "NetworkPolicy", "castbus-fetchers-egress");
    var spec = map(policy, "spec");
    assertThat(spec.get("policyTypes")).isEqualTo(List.of("Egress"));
    assertThat(map(spec, "podSelector").toString()).contains("feeds", "downloads");
    var rules = list(spec, "egress");
    var blocks = rules.stream().flatMap(r -> list(r, "to").stream()).filter(t -> t.containsKey("ipBlock"))
        .map(t -> map(t, "ipBlock")).toList();
    assertThat(blocks).extracting(b -> b.get("cidr")).containsExactlyInAnyOrder("0.0.0.0/0", "::/0");
    var excepted = blocks.stream().flatMap(b -> ((List<?>) b.get("except")).stream()).map(Object::toString).toList();
    assertThat(excepted).contains("169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fe80::/10",
        "fc00::/7");
    assertThat(rules).anySatisfy(r -> assertThat(list(r, "ports")).extracting(p -> p.get("port")).contains(53));
    assertThat(rules).anySatisfy(r -> assertThat(list(r, "ports")).extracting(p -> p.get("port"))
        .containsExactly(5432));
  }

  @Test
  @DisplayName("a PodMonitor scrapes /metrics on the port named http of every Castbus pod; the operator's schema "
      + "refuses a misspelt field")
  void podMonitor() {
    var docs = Kustomize.build(BASE);
    var monitor = named(docs, "PodMonitor", "castbus");
    var spec = map(monitor, "spec");
    var selector = map(map(spec, "selector"), "matchLabels");
    for (var d : deployments(docs)) {
      assertThat(map(map(map(map(d, "spec"), "template"), "metadata"), "labels").entrySet())
          .as(Kustomize.name(d) + " scraped").containsAll(selector.entrySet());
      assertThat(list(containers(d).get(0), "ports")).anySatisfy(p -> assertThat(p).containsEntry("name", "http"));
    }
    assertThat(list(spec, "podMetricsEndpoints")).singleElement().satisfies(e -> assertThat(e)
        .containsEntry("port", "http").containsEntry("path", "/metrics"));

    list(spec, "podMetricsEndpoints").get(0).put("pathh", "/metrics");
    assertThatThrownBy(() -> Schema.validate(monitor)).hasMessageContaining("pathh");
  }

  @Test
  @DisplayName("every image is named by a release tag or a digest: never latest, never a -SNAPSHOT a node may keep")
  void imagesAreImmutable() throws Exception {
    for (var overlay : List.of(BASE, ROOT.resolve("k8s/overlays/dev"))) {
      for (var doc : Kustomize.build(overlay)) {
        if (!"Deployment".equals(doc.get("kind")) && !"StatefulSet".equals(doc.get("kind"))) {
          continue;
        }
        for (var container : containers(doc)) {
          var image = (String) container.get("image");
          var digest = image.contains("@sha256:");
          var tag = image.substring(image.lastIndexOf('/') + 1).contains(":")
              ? image.substring(image.lastIndexOf(':') + 1) : "";
          assertThat(digest || !tag.isEmpty() && !tag.equals("latest") && !tag.endsWith("-SNAPSHOT"))
              .as("%s in %s: %s", Kustomize.name(doc), overlay, image).isTrue();
        }
      }
    }
  }

  @Test
  @DisplayName("an overlay pinning an image by digest, as operations.md tells operators, renders image@sha256")
  void imagesByDigest(@TempDir Path dir) throws Exception {
    var digest = "sha256:" + "0123456789abcdef".repeat(4);
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: [" + dir.toAbsolutePath().relativize(BASE)
        + "]\nimages:\n  - name: castbus/gateway\n    newName: registry.example/castbus/gateway\n"
        + "    digest: " + digest + "\n");
    var docs = Kustomize.build(dir);
    assertThat(containers(deployment(docs, "gateway")).get(0).get("image"))
        .isEqualTo("registry.example/castbus/gateway@" + digest);
  }

  @Test
  @DisplayName("an overlay pinning images with kustomize's images field, as operations.md tells operators, renders")
  void imagesField(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: [" + dir.toAbsolutePath().relativize(BASE)
        + "]\nimages:\n  - name: castbus/gateway\n    newName: registry.example/castbus/gateway\n"
        + "    newTag: \"0.1.0\"\n");
    var docs = Kustomize.build(dir);
    assertThat(containers(deployment(docs, "gateway")).get(0).get("image"))
        .isEqualTo("registry.example/castbus/gateway:0.1.0");
    docs.forEach(Schema::validate);
  }

  private static String jibImage(String module) throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    var parent = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
    var version = parent.getElementsByTagName("version").item(0).getTextContent();
    var tag = parent.getElementsByTagName("image.tag").item(0).getTextContent().trim();
    var pom = factory.newDocumentBuilder().parse(ROOT.resolve(module).resolve("pom.xml").toFile());
    var to = pom.getElementsByTagName("to");
    assertThat(to.getLength()).as(module + " jib <to>").isEqualTo(1);
    var image = ((org.w3c.dom.Element) to.item(0)).getElementsByTagName("image").item(0).getTextContent().trim();
    return image.replace("${project.version}", version).replace("${image.tag}", tag);
  }

  private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
    return labels.entrySet().containsAll(map(selector, "matchLabels").entrySet());
  }

  private static List<Map<String, Object>> deployments(List<Map<String, Object>> docs) {
    var out = docs.stream().filter(d -> d.get("kind").equals("Deployment")).toList();
    assertThat(out).isNotEmpty();
    return out;
  }

  private static Map<String, Object> deployment(List<Map<String, Object>> docs, String component) {
    return deployments(docs).stream().filter(d -> component.equals(component(d))).findFirst().orElseThrow();
  }

  private static String component(Map<String, Object> d) {
    return (String) map(Kustomize.metadata(d), "labels").get("app.kubernetes.io/component");
  }

  private static List<Map<String, Object>> containers(Map<String, Object> d) {
    return list(map(map(map(d, "spec"), "template"), "spec"), "containers");
  }

  private static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream().filter(d -> d.get("kind").equals(kind) && name.equals(Kustomize.name(d))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static Set<String> kinds(List<Map<String, Object>> docs) {
    var out = new HashSet<String>();
    docs.forEach(d -> out.add((String) d.get("kind")));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> configData(List<Map<String, Object>> docs) {
    return (Map<String, String>) (Map<?, ?>) map(named(docs, "ConfigMap", "castbus-config"), "data");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> stringData(List<Map<String, Object>> docs, String name) {
    return (Map<String, String>) (Map<?, ?>) map(named(docs, "Secret", name), "stringData");
  }

  private static Set<String> dataOf(Map<String, Object> doc, String field) {
    return map(doc, field).keySet();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    var value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    var value = parent.get(key);
    return value == null ? new ArrayList<>() : (List<Map<String, Object>>) value;
  }

}
