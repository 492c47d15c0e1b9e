package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.castbus.common.Addresses;
import io.castbus.common.ServiceError;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Download filters and retention per subscription: validated on input, linear-time patterns, what auto-download takes. */
@DisplayName("Subscriptions that choose: filters and retention by count, age or never")
class ChoicesTest {

  @TempDir
  static Path downloads;
  static FeedsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new FeedsFixture("feeds_choices", Map.of("DOWNLOAD_DIR", downloads.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private static JsonObject as(String owner) {
    return fx.caller(owner, false);
  }

  @Test
  @DisplayName("a ReDoS pattern such as (a+)+$ on a long title is decided at once (RE2/J runs in linear time)")
  void linearTimePatterns() {
    var filters = Choices.filters(new JsonObject().put("title_exclude", "(a+)+$"));
    var title = "a".repeat(50_000) + "!";
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (var i = 0; i < 100; i++) {
        assertThat(filters.rejects(title, null, null)).isNull();
      }
    });
    assertThat(filters.rejects("aaaa", null, null)).isEqualTo("title_exclude");
  }

  @Test
  @DisplayName("bad filters and retentions answer 400 naming the field")
  void badInputNamed() {
    var cases = Map.of(
        new JsonObject().put("filters", new JsonObject().put("title_include", "(unclosed")), "filters.title_include",
        new JsonObject().put("filters", new JsonObject().put("title_exclude", "x".repeat(201))), "filters.title_exclude",
        new JsonObject().put("filters", new JsonObject().put("min_duration_s", -1)), "filters.min_duration_s",
        new JsonObject().put("filters", new JsonObject().put("max_duration_s", 86_401)), "filters.max_duration_s",
        new JsonObject().put("filters", new JsonObject().put("published_after", "yesterday")), "filters.published_after",
        new JsonObject().put("filters", new JsonObject().put("colour", "red")), "filters.colour",
        new JsonObject().put("retention", new JsonObject().put("mode", "days").put("days", 0)), "retention.days",
        new JsonObject().put("retention", new JsonObject().put("mode", "days").put("days", 36_501)), "retention.days",
        new JsonObject().put("retention", new JsonObject().put("mode", "newest").put("count", 101)), "retention.count",
        new JsonObject().put("retention", new JsonObject().put("mode", "forever")), "retention.mode");
    fx.server.feed("/bad.xml", Rss.feed("Bad", fx.server.url("/b"), 1, 1));
    var hits = fx.server.hits("/bad.xml");
    cases.forEach((body, field) -> {
      var failure = fx.fails(Addresses.PODCASTS_ADD, as("fay").mergeIn(body).put("rss_url", fx.server.url("/bad.xml")));
      assertThat(failure.status()).as(body.encode()).isEqualTo(400);
      assertThat(failure.getMessage()).as(body.encode()).startsWith(field);
    });
    assertThat(fx.server.hits("/bad.xml")).as("nothing fetched, nothing stored").isEqualTo(hits);
    assertThat(fx.call(Addresses.PODCASTS_LIST, as("fay")).getJsonArray("podcasts")).isEmpty();
  }

  @Test
  @DisplayName("filters decide what auto-download queues; an episode left out is listed with filtered_by and can be downloaded by hand")
  void filtersChooseDownloads() {
    var items = new StringBuilder();
    items.append(Rss.item("f-1", "Bonus: outtakes", 1, fx.server.url("/f/1.mp3")));
    items.append(Rss.item("f-2", "Episode 2: the interview", 2, fx.server.url("/f/2.mp3")));
    items.append(Rss.item("f-3", "Episode 3: trailer", 3, fx.server.url("/f/3.mp3")));
    fx.server.feed("/filtered.xml", Rss.feed("Filtered", items.toString()));
    var added = fx.call(Addresses.PODCASTS_ADD, as("gus").put("rss_url", fx.server.url("/filtered.xml"))
        .put("filters", new JsonObject().put("title_include", "^episode").put("title_exclude", "trailer"))
        .put("retention", new JsonObject().put("mode", "all")));

    assertThat(added.getJsonObject("retention").getString("mode")).isEqualTo("all");
    assertThat(added.getValue("max_episodes_to_keep")).isNull();
    assertThat(added.getJsonObject("filters").getString("title_exclude")).isEqualTo("trailer");
    assertThat(added.getJsonObject("refresh").getInteger("queued_downloads")).isEqualTo(1);
    var episodes = fx.call(Addresses.EPISODES_LIST, as("gus").put("podcast_id", added.getLong("id")))
        .getJsonArray("episodes");
    var byGuid = new java.util.HashMap<String, JsonObject>();
    episodes.forEach(e -> byGuid.put(((JsonObject) e).getString("guid"), (JsonObject) e));
    assertThat(byGuid.get("f-2").getValue("filtered_by")).isNull();
    assertThat(byGuid.get("f-2").getString("download_status")).isEqualTo("pending");
    assertThat(byGuid.get("f-1").getString("filtered_by")).isEqualTo("title_include");
    assertThat(byGuid.get("f-3").getString("filtered_by")).isEqualTo("title_exclude");
    assertThat(byGuid.get("f-3").getString("download_status")).isEqualTo("none");

    // Changing the filters is answered at once and decides the next refresh's new episodes.
    var changed = fx.call(Addresses.PODCASTS_UPDATE, as("gus").put("id", added.getLong("id"))
        .put("filters", new JsonObject().put("min_duration_s", 600)).put("max_episodes_to_keep", 2));
    assertThat(changed.getJsonObject("filters").encode()).isEqualTo("{\"min_duration_s\":600}");
    assertThat(changed.getInteger("max_episodes_to_keep")).isEqualTo(2);
    assertThat(changed.getJsonObject("retention").encode()).isEqualTo("{\"mode\":\"newest\",\"count\":2}");
  }

  @Test
  @DisplayName("what one subscription wants: newest n of those its filters let in, those of the last d days, or all")
  void wantedByMode() {
    var now = Instant.parse("2026-12-01T00:00:00Z");
    var candidates = List.of(
        new Choices.Candidate(1, "old", 100, Instant.parse("2026-01-01T00:00:00Z")),
        new Choices.Candidate(2, "recent", 100, Instant.parse("2026-11-25T00:00:00Z")),
        new Choices.Candidate(3, "newest", 100, Instant.parse("2026-11-30T00:00:00Z")),
        new Choices.Candidate(4, "short", 10, Instant.parse("2026-11-29T00:00:00Z")));
    var shortOnes = Choices.filters(new JsonObject().put("min_duration_s", 60));
    assertThat(new Choices(shortOnes, new Choices.Retention("newest", 2, null)).wanted(candidates, now))
        .containsExactly(3L, 2L);
    assertThat(new Choices(Choices.Filters.NONE, new Choices.Retention("days", null, 30)).wanted(candidates, now))
        .containsExactly(3L, 4L, 2L);
    assertThat(new Choices(Choices.Filters.NONE, new Choices.Retention("all", null, null)).wanted(candidates, now))
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    Assertions.assertThatThrownBy(() -> Choices.retention(new JsonObject().put("max_episodes_to_keep", 0), null))
        .isInstanceOf(ServiceError.class).hasMessage("max_episodes_to_keep must be between 1 and 100, got 0");
  }
}
