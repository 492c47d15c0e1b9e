package io.castbus.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The Prometheus Operator's resources checked against its schema, through fabric8's models generated from the
 * operator's CRDs: a field the schema does not have lands in a model's {@code additionalProperties} and is refused,
 * naming where; the fields the CRD requires must be there.
 */
final class PrometheusOperator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PrometheusOperator() {
  }

  static void validatePodMonitor(Map<String, Object> doc) {
    var name = Kustomize.name(doc);
    PodMonitor monitor;
    try {
      monitor = JSON.convertValue(doc, PodMonitor.class);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PodMonitor " + name + ": " + e.getMessage(), e);
    }
    unknownFields("PodMonitor " + name, monitor, new IdentityHashMap<>());
    if (monitor.getSpec() == null || monitor.getSpec().getSelector() == null) {
      throw new IllegalArgumentException("PodMonitor " + name + ": spec.selector is required");
    }
    if (monitor.getSpec().getPodMetricsEndpoints() == null || monitor.getSpec().getPodMetricsEndpoints().isEmpty()) {
      throw new IllegalArgumentException("PodMonitor " + name + ": spec.podMetricsEndpoints names no endpoint");
    }
  }

  /** Walks the model; any non-empty {@code additionalProperties} is a field the schema does not know. */
  private static void unknownFields(String where, Object model, Map<Object, Boolean> seen) {
    if (model == null || seen.put(model, true) != null) {
      return;
    }
    if (model instanceof Collection<?> items) {
      var i = 0;
      for (var item : items) {
        unknownFields(where + "[" + i++ + "]", item, seen);
      }
      return;
    }
    if (!model.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : model.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(model);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          throw new IllegalArgumentException(where + ": field(s) " + extra.keySet()
              + " are not in the Prometheus Operator's schema");
        }
        continue;
      }
      var field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      unknownFields(where + "." + field, value, seen);
    }
  }
}
