package io.castbus.testkit;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A blocking HTTP client for tests of the Castbus API, sending an API key when it has one. */
public final class ApiClient {

  private static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String baseUrl;
  private final String apiKey;

  public ApiClient(String baseUrl, String apiKey) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public ApiClient withKey(String key) {
    return new ApiClient(baseUrl, key);
  }

  /** An answer: status (-1 when the connection failed), body text, and the body as JSON when it is JSON. */
  public record Response(int status, String text, Map<String, java.util.List<String>> headers) {

    public JsonObject json() {
      if (text == null || text.isBlank()) {
        return new JsonObject();
      }
      try {
        return new JsonObject(text);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON object (status " + status + "): " + text, e);
      }
    }

    public String header(String name) {
      var values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public Response call(String method, String path, String body) {
    return call(method, path, body, Map.of());
  }

  public Response call(String method, String path, String body, Map<String, String> headers) {
    var builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(15))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
      builder.header("Content-Type", "application/json");
    }
    if (apiKey != null) {
      builder.header("X-Api-Key", apiKey);
    }
    headers.forEach(builder::header);
    try {
      // The request timeout covers the headers only; a body that never ends is cut off here.
      var response = http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString())
          .get(TOTAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new Response(response.statusCode(), response.body(), response.headers().map());
    } catch (ExecutionException | TimeoutException e) {
      return new Response(-1, new JsonObject().put("error", e.toString()).encode(), Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public Response get(String path) {
    return call("GET", path, null);
  }

  public Response post(String path, String body) {
    return call("POST", path, body);
  }

  /** Calls until the answer has the wanted status (a cluster needs a moment to propagate its consumers). */
  public Response callUntil(int status, Duration timeout, String method, String path, String body) {
    var deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var response = call(method, path, body);
      if (response.status() == status) {
        return response;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("wanted " + status + " from " + method + " " + path + " within "
            + timeout.toSeconds() + " s, last: " + response);
      }
      Waits.sleep(100);
    }
  }

  /** Polls a run until it reaches {@code status}, failing with the run's last state. */
  public JsonObject awaitRun(String runId, String status, Duration timeout) {
    var deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var run = get("/api/runs/" + runId);
      if (run.status() == 200 && status.equals(run.json().getString("status"))) {
        return run.json();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("run " + runId + " not " + status + " within " + timeout.toSeconds() + " s: " + run);
      }
      Waits.sleep(50);
    }
  }
}
