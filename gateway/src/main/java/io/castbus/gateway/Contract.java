package io.castbus.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI document: served as written at {@code /api/openapi.yaml}, and used to route and validate requests.
 * The validator only knows a few media types, so for routing the streaming, YAML, OPML and RSS responses are declared
 * as text, audio and image responses as octet streams, XML request bodies (OPML imports) as octet streams — the gateway relabels such requests the same way and
 * the service reads the XML — and security is left to the gateway's own key check.
 */
record Contract(Buffer yaml, OpenAPIContract openApi) {

  static final String RESOURCE = "openapi.yaml";
  private static final Set<String> AS_TEXT = Set.of("text/event-stream", "application/yaml", "text/x-opml",
      "application/rss+xml");
  private static final Set<String> AS_OCTETS = Set.of("audio/*", "image/*");
  /** Request body media types routed as {@code application/octet-stream}. */
  static final Set<String> XML_BODIES = Set.of("text/xml", "application/xml", "text/x-opml");
  static final String OCTETS = "application/octet-stream";

  static Future<Contract> load(Vertx vertx) {
    return vertx.fileSystem().readFile(RESOURCE).compose(yaml -> {
      var json = forRouting(yaml.toString());
      return OpenAPIContract.from(vertx, json).map(contract -> new Contract(yaml, contract));
    });
  }

  static JsonObject forRouting(String yaml) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    var json = new JsonObject(Json.encode(tree));
    // Keys are checked by the Authenticator, which also knows AUTH_MODE=local-open.
    json.remove("security");
    var paths = json.getJsonObject("paths");
    for (var path : paths.fieldNames()) {
      var item = paths.getJsonObject(path);
      for (var method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject operation) || !operation.containsKey("responses")) {
          continue;
        }
        operation.remove("security");
        var body = operation.getJsonObject("requestBody");
        var bodyTypes = body == null ? null : body.getJsonObject("content");
        if (bodyTypes != null) {
          for (var type : Set.copyOf(bodyTypes.fieldNames())) {
            if (XML_BODIES.contains(type)) {
              bodyTypes.remove(type);
              bodyTypes.put(OCTETS, new JsonObject());
            }
          }
        }
        relabel(operation.getJsonObject("responses"));
      }
    }
    var components = json.getJsonObject("components");
    if (components != null && components.getJsonObject("responses") != null) {
      relabel(components.getJsonObject("responses"));
    }
    return json;
  }

  /** Each response's media types as the validator knows them. */
  private static void relabel(JsonObject responses) {
    for (var status : responses.fieldNames()) {
      var content = responses.getJsonObject(status).getJsonObject("content");
      if (content == null) {
        continue;
      }
      for (var type : Set.copyOf(content.fieldNames())) {
        if (AS_TEXT.contains(type)) {
          content.put("text/plain", content.remove(type));
        } else if (AS_OCTETS.contains(type)) {
          content.put(OCTETS, content.remove(type));
        }
      }
    }
  }
}
