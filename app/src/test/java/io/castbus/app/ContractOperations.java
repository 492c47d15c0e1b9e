package io.castbus.app;

import io.castbus.gateway.GatewayVerticle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The operations of the gateway's OpenAPI document, as the tests that walk every route need them. */
final class ContractOperations {

  /**
   * One operation: {@code open} when it declares {@code security: []} (no key needed), {@code query} its query
   * parameters' names.
   */
  record Operation(String id, String method, String path, List<String> query, boolean hasBody, boolean open) {
  }

  private ContractOperations() {
  }

  @SuppressWarnings("unchecked")
  static List<Operation> all() throws IOException {
    Map<String, Object> doc;
    try (var in = GatewayVerticle.class.getResourceAsStream("/openapi.yaml")) {
      doc = new Yaml().load(in);
    }
    var operations = new ArrayList<Operation>();
    ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, item) -> item.forEach((method, value) -> {
      if (!(value instanceof Map<?, ?> op) || !op.containsKey("operationId")) {
        return;
      }
      var query = new ArrayList<String>();
      var params = (List<Map<String, Object>>) op.get("parameters");
      if (params != null) {
        for (var p : params) {
          if ("query".equals(p.get("in"))) {
            query.add((String) p.get("name"));
          }
        }
      }
      operations.add(new Operation((String) op.get("operationId"), method.toUpperCase(Locale.ROOT), path, query,
          op.containsKey("requestBody"), op.get("security") instanceof List<?> list && list.isEmpty()));
    }));
    return operations;
  }
}
