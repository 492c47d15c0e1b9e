package io.castbus.feeds;

import io.castbus.common.ServiceError;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.OutboundHttp;
import io.castbus.common.queue.RunFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Podcast search for the add-podcast box: the iTunes Search API ({@code ITUNES_SEARCH_URL}) and, when
 * {@code PODCASTINDEX_KEY} and {@code PODCASTINDEX_SECRET} are set, Podcast Index ({@code PODCASTINDEX_URL}, with its
 * documented {@code X-Auth-Key}, {@code X-Auth-Date} and SHA-1 {@code Authorization} headers), through the outbound
 * path. Results are merged by feed URL and kept for an hour. A provider that is down, slow or answers garbage is
 * named in {@code errors} while the others' results are shown; when none answers, the search fails with 502 (or 504
 * when they timed out).
 */
final class PodcastSearch {

  static final int MAX_QUERY = 200;
  static final int MAX_LIMIT = 50;
  static final Duration CACHE = Duration.ofHours(1);
  private static final int CACHE_MAX = 1_000;
  private static final Duration TOTAL = Duration.ofSeconds(10);
  private static final long MAX_ANSWER = 2L * 1024 * 1024;
  static final OutboundHttp.Words WORDS = new OutboundHttp.Words("the search URL", "the answer",
      "the search provider", "HTTP %d", "unreachable", "timeout", "timeout", "too_large", true);

  /** Where to search and with which keys. */
  record Providers(String itunesUrl, String podcastIndexUrl, String podcastIndexKey, String podcastIndexSecret) {
  }

  private record Cached(JsonObject answer, long until) {
  }

  private final OutboundHttp http;
  private final Providers providers;
  private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
      return size() > CACHE_MAX;
    }
  };

  PodcastSearch(Vertx vertx, NetworkPolicy policy, Providers providers) {
    this.providers = providers;
    this.http = new OutboundHttp(vertx, policy, new OutboundHttp.Options(Duration.ofSeconds(5), Duration.ofSeconds(8),
        3, "Castbus/0.1 (podcast search)", true, 4), WORDS);
  }

  /** {@code {"q", "limit"}} → {@code {"results", "errors"}}. */
  Future<JsonObject> search(JsonObject req) {
    var q = req.getString("q") == null ? "" : req.getString("q").strip();
    if (q.isEmpty() || q.length() > MAX_QUERY) {
      return Future.failedFuture(ServiceError.badRequest("q must be 1 to " + MAX_QUERY + " characters, got "
          + q.length()));
    }
    var limit = req.getInteger("limit", 20);
    if (limit < 1 || limit > MAX_LIMIT) {
      return Future.failedFuture(ServiceError.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + limit));
    }
    var key = q.toLowerCase(Locale.ROOT) + "\n" + limit;
    var now = System.currentTimeMillis();
    synchronized (cache) {
      var hit = cache.get(key);
      if (hit != null && hit.until() > now) {
        return Future.succeededFuture(hit.answer().copy().put("cached", true));
      }
    }
    var asked = new ArrayList<Future<List<JsonObject>>>();
    var names = new ArrayList<String>();
    asked.add(itunes(q, limit));
    names.add("itunes");
    if (providers.podcastIndexKey() != null && providers.podcastIndexSecret() != null) {
      asked.add(podcastIndex(q, limit));
      names.add("podcastindex");
    }
    return Future.join(asked).transform(done -> {
      var merged = new LinkedHashMap<String, JsonObject>();
      var errors = new JsonArray();
      var timeouts = 0;
      for (var i = 0; i < asked.size(); i++) {
        var answer = asked.get(i);
        if (answer.failed()) {
          var why = RunFailure.of(answer.cause());
          timeouts += why.code().equals("timeout") ? 1 : 0;
          errors.add(new JsonObject().put("source", names.get(i)).put("code", why.code())
              .put("message", why.getMessage()));
          continue;
        }
        for (var result : answer.result()) {
          merged.merge(normalized(result.getString("feed_url")), result, PodcastSearch::richer);
        }
      }
      if (errors.size() == asked.size()) {
        var status = timeouts == asked.size() ? 504 : 502;
        return Future.failedFuture(new ServiceError(status, status == 504 ? "search_timeout" : "search_failed",
            "no search provider answered: " + String.join("; ", errors.stream()
                .map(e -> ((JsonObject) e).getString("source") + ": " + ((JsonObject) e).getString("message"))
                .toList())));
      }
      var results = new JsonArray();
      merged.values().stream().limit(limit).forEach(results::add);
      var answer = new JsonObject().put("results", results).put("errors", errors);
      if (errors.isEmpty()) {
        synchronized (cache) {
          cache.put(key, new Cached(answer.copy(), now + CACHE.toMillis()));
        }
      }
      return Future.succeededFuture(answer.put("cached", false));
    });
  }

  /** The iTunes Search API: {@code GET ?term=…&media=podcast&entity=podcast&limit=n}. */
  private Future<List<JsonObject>> itunes(String q, int limit) {
    var url = providers.itunesUrl() + "?media=podcast&entity=podcast&limit=" + limit + "&term=" + encode(q);
    return json(OutboundHttp.Request.get(url, MAX_ANSWER, TOTAL), "itunes").map(body -> {
      var list = new ArrayList<JsonObject>();
      for (var r : array(body, "results", "itunes")) {
        var feed = r.getString("feedUrl");
        if (feed != null) {
          list.add(result(r.getString("collectionName"), r.getString("artistName"), feed,
              r.getString("artworkUrl600", r.getString("artworkUrl100")), r.getInteger("trackCount"), "itunes"));
        }
      }
      return list;
    });
  }

  /** Podcast Index: {@code GET /search/byterm?q=…&max=n}, signed as its API documentation gives. */
  private Future<List<JsonObject>> podcastIndex(String q, int limit) {
    var date = String.valueOf(System.currentTimeMillis() / 1000);
    var url = providers.podcastIndexUrl() + "/search/byterm?q=" + encode(q) + "&max=" + limit;
    var request = OutboundHttp.Request.get(url, MAX_ANSWER, TOTAL).headers(Map.of("X-Auth-Date", date,
        "X-Auth-Key", providers.podcastIndexKey(), "Authorization", sha1(providers.podcastIndexKey()
            + providers.podcastIndexSecret() + date)));
    return json(request, "podcastindex").map(body -> {
      var list = new ArrayList<JsonObject>();
      for (var f : array(body, "feeds", "podcastindex")) {
        if (f.getString("url") != null) {
          list.add(result(f.getString("title"), f.getString("author"), f.getString("url"),
              f.getString("artwork", f.getString("image")), f.getInteger("episodeCount"), "podcastindex"));
        }
      }
      return list;
    });
  }

  private Future<JsonObject> json(OutboundHttp.Request request, String source) {
    return http.open(request).compose(exchange -> {
      if (exchange.status() / 100 != 2) {
        exchange.discard();
        return Future.failedFuture(exchange.statusFailure());
      }
      return exchange.body().map(body -> {
        try {
          return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
          throw RunFailure.permanent("bad_answer", source + " answered something that is not the JSON it documents");
        }
      });
    });
  }

  private static List<JsonObject> array(JsonObject body, String field, String source) {
    var value = body.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw RunFailure.permanent("bad_answer", source + " answered JSON without its '" + field + "' list");
    }
    var list = new ArrayList<JsonObject>();
    array.forEach(item -> {
      if (item instanceof JsonObject o) {
        list.add(o);
      }
    });
    return list;
  }

  private static JsonObject result(String title, String author, String feed, String artwork, Integer episodes,
      String source) {
    return new JsonObject().put("title", title).put("author", author).put("feed_url", feed).put("artwork_url", artwork)
        .put("episode_count", episodes).put("source", source);
  }

  /** The entry with more to show, the sources of both named. */
  private static JsonObject richer(JsonObject a, JsonObject b) {
    var kept = a.copy();
    for (var field : List.of("title", "author", "artwork_url", "episode_count")) {
      if (kept.getValue(field) == null) {
        kept.put(field, b.getValue(field));
      }
    }
    return kept.put("source", a.getString("source") + "," + b.getString("source"));
  }

  /** A feed URL as merging compares it: no scheme difference, no trailing slash, lowercase host. */
  static String normalized(String url) {
    var u = url.strip().replaceFirst("(?i)^https?://", "");
    var slash = u.indexOf('/');
    var host = slash < 0 ? u : u.substring(0, slash);
    var rest = slash < 0 ? "" : u.substring(slash);
    return host.toLowerCase(Locale.ROOT) + rest.replaceAll("/+$", "");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Future<Void> close() {
    return http.close();
  }
}
