package io.castbus.k8s;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.util.Map;

/**
 * Validates one manifest document against the Kubernetes API schema, through the models of the official Java
 * client (generated from the Kubernetes OpenAPI document): unknown or misspelt fields, missing required fields
 * and wrongly shaped values are refused, naming the field.
 */
final class Schema {

  interface Validator {
    void validate(com.google.gson.JsonElement json) throws IOException;
  }

  private static final Map<String, Validator> KINDS = Map.ofEntries(
      Map.entry("v1/Namespace", V1Namespace::validateJsonElement),
      Map.entry("v1/ConfigMap", V1ConfigMap::validateJsonElement),
      Map.entry("v1/Secret", V1Secret::validateJsonElement),
      Map.entry("v1/Service", V1Service::validateJsonElement),
      Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim::validateJsonElement),
      Map.entry("apps/v1/Deployment", V1Deployment::validateJsonElement),
      Map.entry("apps/v1/StatefulSet", V1StatefulSet::validateJsonElement),
      Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::validateJsonElement),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy::validateJsonElement),
      Map.entry("networking.k8s.io/v1/Ingress", V1Ingress::validateJsonElement));

  private static final Gson GSON = new Gson();

  private Schema() {
  }

  /** Throws naming the document and the offending field when the document is not valid. */
  static void validate(Map<String, Object> doc) {
    var type = doc.get("apiVersion") + "/" + doc.get("kind");
    if (type.equals("monitoring.coreos.com/v1/PodMonitor")) {
      PrometheusOperator.validatePodMonitor(doc);
      return;
    }
    var validator = KINDS.get(type);
    if (validator == null) {
      throw new IllegalArgumentException("unknown or unsupported resource type " + type);
    }
    try {
      validator.validate(GSON.toJsonTree(doc));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(type + " " + Kustomize.name(doc) + ": " + e.getMessage(), e);
    }
    for (var field : new String[] {"data", "stringData"}) {
      if (doc.get(field) instanceof Map<?, ?> data) {
        data.forEach((k, v) -> {
          if (!(v instanceof String)) {
            throw new IllegalArgumentException(type + " " + Kustomize.name(doc) + ": " + field + "." + k
                + " must be a string (quote it), got " + v);
          }
        });
      }
    }
  }
}
