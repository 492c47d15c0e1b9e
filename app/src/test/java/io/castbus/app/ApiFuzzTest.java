package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.app.ContractOperations.Operation;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated requests against every operation of the OpenAPI document, sent to the all-in-one app (every service
 * behind the gateway) as an admin, with a fixed seed: hostile path ids, query
 * strings and JSON bodies (wrong types, unknown fields, huge, deep, broken, empty). None may answer 500 or leak a
 * stack trace; every error is the JSON error shape. A failure prints the request that caused it.
 */
@DisplayName("Fuzzed requests on every API route never answer 500 nor leak internals")
class ApiFuzzTest {

  private static final String ADMIN_KEY = "cb_fuzz_admin_key_0123456789abcdefghijklmnopqrstuvwxyz";
  private static final long SEED = 20261125L;
  private static final int CASES = Integer.getInteger("castbus.fuzz.cases", 3000);
  /**
   * Operations that hold the connection open (the live stream), or that would revoke the fuzzing key itself (and
   * turn every later case into a 401), are exercised by their own tests.
   */
  private static final List<String> SKIPPED = List.of("streamEvents", "deleteMyKey", "deleteUser");

  @TempDir
  static Path data;
  static TestDatabase db;
  static CastbusApp app;
  static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create("app_fuzz");
    var port = ChildProcess.freePort();
    app = CastbusApp.start(Settings.load(Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
        "DOWNLOAD_DIR", data.resolve("downloads").toString(), "DATABASE_URL", db.url(), "AUTH_MODE", "required",
        "ADMIN_API_KEY", ADMIN_KEY), Settings.AuthMode.REQUIRED));
    api = new ApiClient("http://127.0.0.1:" + port, ADMIN_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    db.close();
  }

  @Test
  @DisplayName("3,000 generated requests (seed 20261125) over every operation: no 500, no stack trace, JSON errors")
  void fuzz() throws Exception {
    var operations = operations();
    assertThat(operations).hasSizeGreaterThan(15);
    var random = new Random(SEED);
    var byStatus = new TreeMap<Integer, Integer>();
    var problems = new ArrayList<String>();
    for (var i = 0; i < CASES; i++) {
      var op = operations.get(random.nextInt(operations.size()));
      var path = fillPath(op.path(), random);
      var query = query(op, random);
      var body = op.hasBody() || random.nextInt(8) == 0 ? body(random) : null;
      var started = System.nanoTime();
      var response = api.call(op.method(), path + query, body);
      var millis = (System.nanoTime() - started) / 1_000_000;
      if (millis > 2000) {
        System.out.println("fuzz: slow (" + millis + " ms) " + op.method() + " " + path + query);
      }
      byStatus.merge(response.status(), 1, Integer::sum);
      var text = response.text() == null ? "" : response.text();
      var request = op.method() + " " + path + query + (body == null ? "" : " body=" + abbreviate(body));
      // 503 (a module not running) and the search's 502/504 (its outside providers unreachable from here, answered
      // with the documented codes) are answers, not breakage.
      var upstream = (response.status() == 502 || response.status() == 504)
          && (text.contains("\"search_failed\"") || text.contains("\"search_timeout\""));
      if (response.status() == -1 || response.status() >= 500 && response.status() != 503 && !upstream) {
        problems.add(response.status() + " " + abbreviate(text) + ", for " + request);
      } else if (text.contains("Exception") || text.contains("\tat ") || text.contains("at io.")) {
        problems.add("stack trace leaked for " + request + " → " + abbreviate(text));
      } else if (response.status() >= 400 && !isErrorJson(text)) {
        problems.add(response.status() + " " + abbreviate(text) + ": not the JSON error shape, for " + request);
      }
    }
    System.out.println("fuzz: " + CASES + " cases over " + operations.size() + " operations, statuses " + byStatus);
    assertThat(problems).as("requests that broke the contract").isEmpty();
    assertThat(api.get("/health/ready").status()).as("the gateway still serves").isEqualTo(200);
  }

  /** The contract's /api operations, but for the skipped ones. */
  private static List<Operation> operations() throws Exception {
    return ContractOperations.all().stream()
        .filter(op -> !SKIPPED.contains(op.id()) && op.path().startsWith("/api/"))
        .toList();
  }

  // No bare ".." segment: the server resolves dot segments (RFC 3986) before routing, so /api/runs/../events is
  // the live stream, which never ends; "../../etc/passwd" stays one encoded segment and is fuzzed.
  private static final String[] IDS = {"1", "0", "-1", "999999999999", "99999999999999999999999", "expire_runs",
      "cleanup_episodes", "../../etc/passwd", "%00", "null", "true", "1.5", "1e9", "🎧", "a b", "' or 1=1 --",
      "01a2123e-5c10-7fc0-8210-7aeb2dede507", "not-a-uuid", "<script>", "x".repeat(300), "%2e%2e%2f", "\u202e"};

  private static String fillPath(String template, Random random) {
    var out = new StringBuilder();
    for (var part : template.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      out.append('/');
      out.append(part.startsWith("{") ? encode(IDS[random.nextInt(IDS.length)]) : part);
    }
    return out.toString();
  }

  private static final String[] VALUES = {"", "0", "-5", "1", "50", "501", "100000", "abc", "queued", "running",
      "completed", "failed", "stalled", "true", "null", "[]", "{}", "%", "😀", "x".repeat(1000), "x".repeat(5000), "é".repeat(4000), "x".repeat(30_000), "1;drop table runs"};

  private static String query(Operation op, Random random) {
    var names = new ArrayList<>(op.query());
    names.add("unknown");
    names.add("limit");
    var count = random.nextInt(4);
    var parts = new ArrayList<String>();
    for (var i = 0; i < count; i++) {
      parts.add(encode(names.get(random.nextInt(names.size()))) + "=" + encode(VALUES[random.nextInt(VALUES.length)]));
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  private static final String[] FIELDS = {"trigger", "type", "seconds", "expression", "timezone", "at", "payload",
      "dry_run", "delete_orphans", "max_instances", "name", "role", "rss_url", "max_episodes_to_keep", "auto_download",
      "keep", "title", "__proto__", "", "x".repeat(200)};

  private static String body(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> "";
      case 1 -> "{";
      case 2 -> "not json at all";
      case 3 -> "[1, 2, 3]";
      case 4 -> "null";
      case 5 -> "{\"a\":".repeat(200) + "1" + "}".repeat(200);
      case 6 -> "\"" + "x".repeat(100_000) + "\"";
      default -> object(random, 0).encode();
    };
  }

  private static JsonObject object(Random random, int depth) {
    var json = new JsonObject();
    var fields = random.nextInt(5);
    for (var i = 0; i < fields; i++) {
      json.put(FIELDS[random.nextInt(FIELDS.length)], value(random, depth));
    }
    return json;
  }

  private static Object value(Random random, int depth) {
    return switch (random.nextInt(depth > 2 ? 8 : 10)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt();
      case 3 -> random.nextLong();
      case 4 -> random.nextDouble() * 1e12;
      case 5 -> VALUES[random.nextInt(VALUES.length)];
      case 6 -> List.of("interval", "cron", "date", "0 3 * * *", "Europe/Paris", "Mars/Olympus").get(random.nextInt(6));
      case 7 -> IDS[random.nextInt(IDS.length)];
      case 8 -> new JsonArray().add(value(random, depth + 1)).add(value(random, depth + 1));
      default -> object(random, depth + 1);
    };
  }

  private static boolean isErrorJson(String text) {
    try {
      var json = new JsonObject(text);
      return json.getString("error") != null && json.getString("message") != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
