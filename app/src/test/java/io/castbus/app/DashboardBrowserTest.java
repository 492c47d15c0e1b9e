package io.castbus.app;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.castbus.testkit.Dashboard.button;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
import io.castbus.testkit.Chromium;
import io.castbus.testkit.Dashboard;
import io.castbus.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard as a person uses it, in Debian's Chromium driven by Playwright, against the all-in-one app. Each
 * test leaves a screenshot in {@code app/target/screenshots/}.
 */
@DisplayName("The dashboard in a real headless Chromium, against the all-in-one app")
class DashboardBrowserTest {

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir
  static Path data;
  static TestDatabase db;
  static CastbusApp app;
  static ApiClient api;
  static String base;
  static Chromium chromium;
  static Browser browser;
  static io.vertx.core.Vertx media;
  static io.vertx.core.http.HttpServer feedServer;
  static final int EPISODE_BYTES = 2 * 1024 * 1024;
  Page page;

  @BeforeAll
  static void start() throws Exception {
    // A file where the backups folder should be: backup_database fails, as a disk problem would make it.
    Files.writeString(data.resolve("backups"), "not a folder");
    db = TestDatabase.create("app_dashboard");
    var port = ChildProcess.freePort();
    base = "http://127.0.0.1:" + port;
    media = io.vertx.core.Vertx.vertx();
    feedServer = media.createHttpServer().requestHandler(req -> {
      if (req.path().endsWith(".mp3")) {
        // Sent in slices, so the download takes a moment and its progress shows.
        var response = req.response().putHeader("Content-Type", "audio/mpeg")
            .putHeader("Content-Length", String.valueOf(EPISODE_BYTES));
        var sent = new int[1];
        media.setPeriodic(50, t -> {
          var slice = Math.min(EPISODE_BYTES / 20, EPISODE_BYTES - sent[0]);
          response.write(io.vertx.core.buffer.Buffer.buffer(new byte[slice]));
          sent[0] += slice;
          if (sent[0] >= EPISODE_BYTES) {
            media.cancelTimer(t);
            response.end();
          }
        });
      } else if (req.path().equals("/itunes/search")) {
        // The iTunes Search API's shape: resultCount and results with collectionName, artistName, feedUrl.
        var base = "http://127.0.0.1:" + req.localAddress().port();
        req.response().putHeader("Content-Type", "text/javascript; charset=utf-8").end(new io.vertx.core.json.JsonObject()
            .put("resultCount", 1).put("results", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
                .put("collectionName", "Found by Search").put("artistName", "Sam").put("feedUrl", base + "/found.xml")
                .put("trackCount", 1))).encode());
      } else if (req.path().equals("/found.xml")) {
        var base = "http://127.0.0.1:" + req.localAddress().port();
        req.response().putHeader("Content-Type", "application/rss+xml").end("""
            <?xml version="1.0"?><rss version="2.0"><channel><title>Found by Search</title>
            <item><guid>s-1</guid><title>Searched one</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/found-1.mp3" length="%2$d" type="audio/mpeg"/></item>
            <item><guid>s-2</guid><title>Trailer</title><pubDate>Sun, 22 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/found-2.mp3" length="%2$d" type="audio/mpeg"/></item>
            </channel></rss>""".formatted(base, EPISODE_BYTES));
      } else if (req.path().equals("/cover.png")) {
        req.response().putHeader("Content-Type", "image/png").end(io.vertx.core.buffer.Buffer.buffer(cover()));
      } else if (req.path().equals("/pick.xml")) {
        req.response().putHeader("Content-Type", "application/rss+xml")
            .end("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Carol's Pick</title></channel></rss>");
      } else if (req.path().equals("/room.xml")) {
        var base = "http://127.0.0.1:" + req.localAddress().port();
        req.response().putHeader("Content-Type", "application/rss+xml").end("""
            <?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
            <channel><title>Listening Room</title><itunes:image href="%1$s/cover.png"/>
            <item><guid>r-1</guid><title>Room one</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/room-1.mp3" length="%2$d" type="audio/mpeg"/></item>
            </channel></rss>""".formatted(base, EPISODE_BYTES));
      } else {
        var base = "http://127.0.0.1:" + req.localAddress().port();
        req.response().putHeader("Content-Type", "application/rss+xml").end("""
            <?xml version="1.0"?><rss version="2.0"><channel><title>Browser Radio</title>
            <item><guid>b-2</guid><title>Second &lt;b&gt;show&lt;/b&gt;</title><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/two.mp3" length="%2$d" type="audio/mpeg"/></item>
            <item><guid>b-1</guid><title>First show</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
              <enclosure url="%1$s/one.mp3" length="%2$d" type="audio/mpeg"/></item>
            </channel></rss>""".formatted(base, EPISODE_BYTES));
      }
    }).listen(0, "127.0.0.1").await(10, java.util.concurrent.TimeUnit.SECONDS);
    app = CastbusApp.start(Settings.load(Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
        "DOWNLOAD_DIR", data.resolve("downloads").toString(), "DATABASE_URL", db.url(),
        "ALLOW_PRIVATE_NETWORKS", "true", "DOWNLOAD_MIN_FREE_MB", "1",
        "ITUNES_SEARCH_URL", "http://127.0.0.1:" + feedServer.actualPort() + "/itunes/search"),
        Settings.AuthMode.LOCAL_OPEN));
    api = new ApiClient(base, null);
    chromium = Chromium.launch();
    browser = chromium.browser();
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (app != null) {
      app.close();
    }
    if (media != null) {
      media.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void open() {
    page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800)).newPage();
  }

  @AfterEach
  void screenshot(TestInfo test) {
    page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
        .setPath(SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png")));
    page.context().close();
  }

  static byte[] cover() {
    try {
      var image = new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_INT_RGB);
      for (var x = 0; x < 40; x++) {
        image.setRGB(x, x, 0xffaa00);
      }
      var out = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("Jobs: every job with its schedule and health; pause and resume a job with a click")
  void pauseAndResume() {
    page.navigate(base + "/");
    var row = page.locator("tr[data-job=expire_runs]");
    assertThat(row).containsText("Expire Run History");
    assertThat(row).containsText("interval[1:00:00]");
    assertThat(row.locator("td").nth(1)).containsText("every hour");
    assertThat(page.locator("#live")).hasText("live");

    row.getByRole(AriaRole.BUTTON, button("Pause")).click();
    assertThat(row.locator(".status.paused")).isVisible();
    assertThat(api.get("/api/jobs/expire_runs").json().getBoolean("paused")).isTrue();

    row.getByRole(AriaRole.BUTTON, button("Resume")).click();
    assertThat(row.getByRole(AriaRole.BUTTON, button("Pause"))).isVisible();
    assertThat(api.get("/api/jobs/expire_runs").json().getBoolean("paused")).isFalse();
  }

  @Test
  @DisplayName("Runs: a job run from the page appears live as completed; its events and output open below")
  void runAndInspect() {
    page.navigate(base + "/#runs");
    assertThat(page.locator("#live")).hasText("live");
    page.navigate(base + "/#jobs");
    page.locator("tr[data-job=scan_library]").getByRole(AriaRole.BUTTON, button("Run now")).click();
    assertThat(page.locator("#notice")).containsText("triggered");
    page.locator("nav a[data-tab=runs]").click();
    var run = page.locator("#runs tbody tr", new Page.LocatorOptions().setHasText("scan_library")).first();
    assertThat(run.locator(".status")).hasText("completed");
    run.locator("a").click();
    assertThat(page.locator("#run-detail")).containsText("scan_library");
    assertThat(page.locator("#run-detail .events")).containsText("orphan");
  }

  @Test
  @DisplayName("Jobs: the schedule editor previews the next five fire times of a trigger before saving it, saves "
      + "it, and resets it to the default")
  void editScheduleWithPreview() {
    page.navigate(base + "/");
    var row = page.locator("tr[data-job=cleanup_episodes]");
    var before = api.get("/api/jobs/cleanup_episodes").json().getString("trigger");
    row.getByRole(AriaRole.BUTTON, button("Schedule")).click();
    var detail = page.locator("#job-detail");
    assertThat(detail.locator("ol.preview li")).hasCount(5);
    var first = detail.locator("ol.preview li").nth(1).textContent();
    detail.getByLabel("trigger type").selectOption("interval");
    detail.getByLabel("seconds, cron expression or date").fill("7200");
    assertThat(detail.locator("ol.preview li").nth(1)).not().hasText(first);
    org.assertj.core.api.Assertions.assertThat(api.get("/api/jobs/cleanup_episodes").json().getString("trigger"))
        .as("previewed, not saved").isEqualTo(before);
    detail.getByLabel("seconds, cron expression or date").fill("1999-01-01T00:00:00Z");
    detail.getByLabel("trigger type").selectOption("date");
    assertThat(detail.locator("[role=alert]")).containsText("would never fire again");
    detail.getByLabel("trigger type").selectOption("interval");
    detail.getByLabel("seconds, cron expression or date").fill("7200");
    detail.getByRole(AriaRole.BUTTON, button("Save")).click();
    assertThat(page.locator("#notice")).containsText("Schedule saved");
    assertThat(row).containsText("interval[2:00:00]");
    assertThat(row.locator("td").nth(1)).containsText("every 2 hours");
    detail.getByRole(AriaRole.BUTTON, button("Reset to default")).click();
    assertThat(row).containsText(before);
  }

  @Test
  @DisplayName("Runs: a failed run is retried from its page, the new run names the old one and is cancelled from its page")
  void retryFromRunPage() {
    var id = UUID.randomUUID().toString();
    db.execute("insert into runs (id, type, status, error, finished_at) values ('" + id + "', 'nobody_serves_this', "
        + "'failed', '{\"code\": \"failed\", \"message\": \"upstream said no\"}', now())");
    page.navigate(base + "/#runs");
    var detail = Dashboard.retryFromRunPage(page, id, "upstream said no");
    // The retry, queued with no worker for its type, is cancelled from its own page.
    detail.getByRole(AriaRole.BUTTON, button("Cancel")).click();
    assertThat(page.locator("#notice")).containsText("Cancel requested");
    assertThat(detail.locator("h3 .status")).hasText("cancelled");
    assertThat(detail.getByRole(AriaRole.BUTTON, button("Retry"))).isVisible();
  }

  @Test
  @DisplayName("Runs: searching by type and cancelling every queued match in one bulk action")
  void bulkCancelQueued() {
    for (var i = 0; i < 3; i++) {
      db.execute("insert into runs (id, type) values ('" + UUID.randomUUID() + "', 'bulk_in_browser')");
    }
    page.navigate(base + "/#runs");
    page.locator("#run-filter input[name=type]").fill("bulk_in_browser");
    page.locator("#run-filter select[name=status]").selectOption("queued");
    page.locator("#run-filter button").click();
    assertThat(page.locator("#runs tbody tr .status")).hasCount(3);
    page.onDialog(dialog -> dialog.accept());
    page.locator("#run-bulk").getByRole(AriaRole.BUTTON, button("Cancel")).click();
    assertThat(page.locator("#notice")).containsText("3 of 3 matched runs done");
    org.assertj.core.api.Assertions.assertThat(api.get("/api/runs?type=bulk_in_browser&status=cancelled").json()
        .getJsonArray("runs")).hasSize(3);
  }

  @Test
  @DisplayName("Runs: two runs picked by their boxes are retried together; the rest of the page is left alone")
  void bulkRetrySelected() {
    var picked = new java.util.ArrayList<String>();
    for (var i = 0; i < 3; i++) {
      var id = UUID.randomUUID().toString();
      db.execute("insert into runs (id, type, status, finished_at) values ('" + id + "', 'picked_in_browser', "
          + "'failed', now())");
      picked.add(id);
    }
    page.navigate(base + "/#runs");
    page.locator("#run-filter input[name=type]").fill("picked_in_browser");
    page.locator("#run-filter button").click();
    assertThat(page.locator("#runs tbody tr .status")).hasCount(3);
    page.getByLabel("select run " + picked.get(0)).check();
    page.getByLabel("select run " + picked.get(2)).check();
    assertThat(page.locator("#bulk-scope")).hasText("The 2 selected:");
    page.onDialog(dialog -> dialog.accept());
    page.locator("#run-bulk").getByRole(AriaRole.BUTTON, button("Retry")).click();
    assertThat(page.locator("#notice")).containsText("2 of 2 matched runs done");
    var retried = api.get("/api/runs?type=picked_in_browser&status=queued").json().getJsonArray("runs").stream()
        .map(r -> ((io.vertx.core.json.JsonObject) r).getString("retry_of")).toList();
    org.assertj.core.api.Assertions.assertThat(retried).containsExactlyInAnyOrder(picked.get(0), picked.get(2));
  }

  @Test
  @DisplayName("Run types: counts and workers; pause, resume and cap a type with a click; its charts")
  void pauseRunType() {
    page.navigate(base + "/#types");
    var row = page.locator("tr[data-type=scan_library]");
    assertThat(row).isVisible();
    row.getByRole(AriaRole.BUTTON, button("Pause")).click();
    assertThat(row.locator(".status.paused")).isVisible();
    org.assertj.core.api.Assertions.assertThat(runType("scan_library").getBoolean("paused")).isTrue();
    row.getByRole(AriaRole.BUTTON, button("Resume")).click();
    assertThat(row.getByRole(AriaRole.BUTTON, button("Pause"))).isVisible();
    row.getByLabel("cap of scan_library").fill("3");
    row.getByRole(AriaRole.BUTTON, button("Set")).click();
    assertThat(page.locator("#notice")).containsText("scan_library: cap 3");
    org.assertj.core.api.Assertions.assertThat(runType("scan_library").getJsonObject("concurrency")
        .getInteger("cluster")).isEqualTo(3);
    row.locator("a").click();
    assertThat(page.locator("#type-detail")).containsText("Outcomes per hour");
    assertThat(page.locator("#type-detail [aria-label='outcomes per hour over the last 24 hours'] span")).hasCount(24);
  }

  private static io.vertx.core.json.JsonObject runType(String type) {
    return api.get("/api/run-types").json().getJsonArray("run_types").stream()
        .map(io.vertx.core.json.JsonObject.class::cast).filter(t -> t.getString("type").equals(type))
        .findFirst().orElseThrow();
  }

  @Test
  @DisplayName("Runs: cancelling a queued run from the page; the list follows live")
  void cancelQueuedRun() {
    var id = UUID.randomUUID().toString();
    db.execute("insert into runs (id, type) values ('" + id + "', 'nobody_serves_this')");
    page.navigate(base + "/#runs");
    var row = page.locator("tr[data-run='" + id + "']");
    assertThat(row.locator(".status")).hasText("queued");
    page.onDialog(dialog -> dialog.accept());
    row.getByRole(AriaRole.BUTTON, button("Cancel")).click();
    assertThat(row.locator(".status")).hasText("cancelled");
    assertThat(api.get("/api/runs/" + id).json().getString("status")).isEqualTo("cancelled");
  }

  @Test
  @DisplayName("Alerts: a failing job shows up on the page with its cause, and the badge counts it")
  void failureAlert() {
    page.navigate(base + "/#jobs");
    page.locator("tr[data-job=backup_database]").getByRole(AriaRole.BUTTON, button("Run now")).click();
    assertThat(page.locator("#alert-count")).isVisible();
    page.locator("nav a[data-tab=alerts]").click();
    var alert = page.locator("ul.alerts li", new Page.LocatorOptions().setHasText("backup_database failed"));
    assertThat(alert).isVisible();
    assertThat(alert.locator("pre")).containsText("backups");
    page.navigate(base + "/#jobs");
    assertThat(page.locator("tr[data-job=backup_database] .status.failing")).isVisible();
  }

  @Test
  @DisplayName("Podcasts and Downloads: add a feed by URL, see its episodes, watch both downloads' bars reach done; the runs list names what each download was of")
  void addPodcastAndWatchDownloads() {
    page.navigate(base + "/#podcasts");
    var feedUrl = "http://127.0.0.1:" + feedServer.actualPort() + "/radio.xml";
    page.locator("#add-podcast input[name=rss_url]").fill(feedUrl);
    page.locator("#add-podcast input[name=max_episodes_to_keep]").fill("2");
    page.locator("#add-podcast button").click();
    assertThat(page.locator("#notice")).containsText("Podcast added");
    var row = page.locator("#podcast-grid li", new Page.LocatorOptions().setHasText("Browser Radio"));
    assertThat(row).containsText(feedUrl);
    row.locator("a").first().click();
    assertThat(page.locator("#episodes")).containsText("Second <b>show</b>");

    page.locator("nav a[data-tab=downloads]").click();
    var downloads = page.locator("#downloads tbody tr", new Page.LocatorOptions().setHasText("Browser Radio"));
    assertThat(downloads).hasCount(2);
    assertThat(downloads.nth(0).locator(".status")).hasText("completed");
    assertThat(downloads.nth(1).locator(".status")).hasText("completed");
    assertThat(downloads.locator(".progress.done")).hasCount(2);
    assertThat(page.locator("#downloads")).containsText("Browser Radio/");

    page.locator("nav a[data-tab=runs]").click();
    page.locator("#run-filter input[name=type]").fill("download_episode");
    page.locator("#run-filter button").click();
    assertThat(page.locator("#runs tbody tr .subject", new Page.LocatorOptions().setHasText("· Browser Radio")))
        .hasText(new String[] {"Second <b>show</b> · Browser Radio", "First show · Browser Radio"});
  }

  @Test
  @DisplayName("Podcasts: the cover in the list, the library's feed address copied with one click, a player on each downloaded episode that a live change leaves playing")
  void libraryOnScreen() {
    page.context().grantPermissions(List.of("clipboard-read", "clipboard-write"));
    page.navigate(base + "/#podcasts");
    var feedUrl = "http://127.0.0.1:" + feedServer.actualPort() + "/room.xml";
    page.locator("#add-podcast input[name=rss_url]").fill(feedUrl);
    page.locator("#add-podcast button").click();
    assertThat(page.locator("#notice")).containsText("Podcast added");

    var address = page.locator("#library-feed-url");
    assertThat(page.locator("#library-feed")).isVisible();
    assertThat(address).hasValue(java.util.regex.Pattern.compile(
        "http://127\\.0\\.0\\.1:\\d+/feeds/[a-z2-7]{32}/all\\.xml"));
    page.locator("#copy-feed").click();
    assertThat(page.locator("#notice")).containsText("copied");
    assertThat(page.evaluate("navigator.clipboard.readText()")).isEqualTo(address.inputValue());

    var row = page.locator("#podcast-grid li", new Page.LocatorOptions().setHasText("Listening Room"));
    // The list shows the cover once fetch_artwork has kept it; reload until it has.
    io.castbus.testkit.Waits.until(java.time.Duration.ofSeconds(30), "the cover loaded in the list", () -> {
      var loaded = (Boolean) page.evaluate("() => { const i = document.querySelector('#podcast-grid li img.cover');"
          + " return !!i && i.complete && i.naturalWidth === 40; }");
      if (!loaded) {
        page.locator("nav a[data-tab=podcasts]").click();
      }
      return loaded;
    });

    row.locator("a").first().click();
    var player = page.locator("#episodes audio");
    io.castbus.testkit.Waits.until(java.time.Duration.ofSeconds(30), "the episode downloaded and playable", () -> {
      if (player.count() == 0) {
        row.locator("a").first().click();
        return false;
      }
      return true;
    });
    // A live change draws the episodes again, around the player: the same element, so playing goes on.
    page.evaluate("() => { document.querySelector('#episodes audio').castbusMark = 'kept'; }");
    var list = page.locator("#episodes .episode-list");
    var drawn = list.getAttribute("data-drawn");
    page.locator("#episodes tr:has(audio) input[type=checkbox]").check();
    io.castbus.testkit.Waits.until(java.time.Duration.ofSeconds(30), "the episodes drawn again after the change",
        () -> !drawn.equals(list.getAttribute("data-drawn")));
    assertThat(page.locator("#episodes tr:has(audio) input[type=checkbox]")).isChecked();
    org.assertj.core.api.Assertions.assertThat(
        page.evaluate("() => document.querySelector('#episodes audio').castbusMark")).isEqualTo("kept");
    var src = player.first().getAttribute("src");
    org.assertj.core.api.Assertions.assertThat(src).matches("/feeds/[a-z2-7]{32}/media/\\d+\\.mp3");
    var range = page.request().get(base + src, com.microsoft.playwright.options.RequestOptions.create()
        .setHeader("Range", "bytes=0-99"));
    org.assertj.core.api.Assertions.assertThat(range.status()).isEqualTo(206);
    org.assertj.core.api.Assertions.assertThat(range.body()).hasSize(100);
  }

  @Test
  @DisplayName("Podcasts: the admin's list names whose subscription a user's podcast is; their own carries no name")
  void whoseSubscription() {
    var carol = api.post("/api/admin/users", "{\"name\": \"carol\", \"role\": \"user\"}");
    org.assertj.core.api.Assertions.assertThat(carol.status()).as(carol.text()).isEqualTo(201);
    var feedUrl = "http://127.0.0.1:" + feedServer.actualPort() + "/pick.xml";
    var added = api.withKey(carol.json().getString("api_key")).post("/api/podcasts",
        new io.vertx.core.json.JsonObject().put("rss_url", feedUrl).put("auto_download", false).encode());
    org.assertj.core.api.Assertions.assertThat(added.status()).as(added.text()).isEqualTo(201);
    var own = api.post("/api/podcasts", new io.vertx.core.json.JsonObject().put("rss_url", feedUrl)
        .put("auto_download", false).encode());
    org.assertj.core.api.Assertions.assertThat(own.status()).as(own.text()).isEqualTo(201);

    page.navigate(base + "/#podcasts");
    var cards = page.locator("#podcast-grid li", new Page.LocatorOptions().setHasText("Carol's Pick"));
    assertThat(cards).hasCount(2);
    assertThat(page.locator("#podcast-grid li[data-podcast='" + added.json().getLong("id") + "'] .owner"))
        .hasText("carol's subscription");
    assertThat(page.locator("#podcast-grid li[data-podcast='" + own.json().getLong("id") + "'] .owner")).hasCount(0);
  }

  @Test
  @DisplayName("Podcasts: search as you type and add a result in one click; its settings form saves retention and filters with a preview; download all")
  void searchSettingsAndBackCatalogue() {
    page.navigate(base + "/#podcasts");
    page.locator("#podcast-search").fill("found");
    var result = page.locator("#search-results li", new Page.LocatorOptions().setHasText("Found by Search"));
    assertThat(result).containsText("Sam");
    result.locator("button").click();
    assertThat(page.locator("#notice")).containsText("Podcast added");
    var row = page.locator("#podcast-grid li", new Page.LocatorOptions().setHasText("Found by Search"));
    row.locator("a").first().click();

    var form = page.locator("#podcast-settings");
    assertThat(form).isVisible();
    form.locator("select[name=mode]").selectOption("days");
    form.locator("input[name=amount]").fill("30");
    form.locator("input[name=title_exclude]").fill("trailer");
    assertThat(form.locator("#filter-preview")).containsText("let in 1 of the 2 episodes shown: Searched one");
    form.locator("button", new Locator.LocatorOptions().setHasText("Save settings")).click();
    assertThat(page.locator("#notice")).containsText("Settings saved");
    var id = api.get("/api/podcasts").json().getJsonArray("podcasts").stream().map(p -> (io.vertx.core.json.JsonObject) p)
        .filter(p -> "Found by Search".equals(p.getString("title"))).findFirst().orElseThrow().getLong("id");
    var saved = api.get("/api/podcasts/" + id).json();
    org.assertj.core.api.Assertions.assertThat(saved.getJsonObject("retention").encode())
        .isEqualTo("{\"mode\":\"days\",\"days\":30}");
    org.assertj.core.api.Assertions.assertThat(saved.getJsonObject("filters").getString("title_exclude"))
        .isEqualTo("trailer");

    page.locator("#podcast-settings button", new Page.LocatorOptions().setHasText("Download all")).click();
    assertThat(page.locator("#notice")).containsText("back catalogue is queued");
    var runs = api.get("/api/runs?type=download_all").json().getJsonArray("runs");
    org.assertj.core.api.Assertions.assertThat(runs).isNotEmpty();
  }

  @Test
  @DisplayName("Log in with a key from another machine: an HttpOnly SameSite cookie, no key kept in the page; log out")
  void loginSessionLogout() {
    var made = api.post("/api/admin/users", "{\"name\": \"pat\", \"role\": \"admin\"}");
    assertThat(made.status()).isEqualTo(201);
    var key = made.json().getString("api_key");
    // Not a loopback client as far as the gateway can tell, so AUTH_MODE=local-open asks for a key.
    var remote = Map.of("X-Forwarded-For", "203.0.113.7");
    page.context().close();
    page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800).setExtraHTTPHeaders(remote))
        .newPage();
    page.navigate(base + "/#jobs");
    assertThat(page.locator("#login")).isVisible();
    page.locator("#login input[name=key]").fill(key);
    page.locator("#login button").click();
    assertThat(page.locator("#login")).isHidden();
    assertThat(page.locator("#who")).hasText("pat");
    assertThat(page.locator("#live")).hasText("live");

    var session = page.context().cookies().stream().filter(c -> c.name.equals("castbus_session")).findFirst()
        .orElseThrow();
    assertThat(session.httpOnly).isTrue();
    assertThat(session.sameSite).isEqualTo(com.microsoft.playwright.options.SameSiteAttribute.STRICT);
    assertThat(session.path).isEqualTo("/");
    assertThat((String) page.evaluate("JSON.stringify(Object.entries(localStorage)) + document.cookie"))
        .doesNotContain(key).doesNotContain(session.value);

    // A state change made by the page carries the CSRF token.
    var row = page.locator("tr[data-job=cleanup_episodes]");
    row.getByRole(AriaRole.BUTTON, button("Pause")).click();
    assertThat(row.locator(".status.paused")).isVisible();
    row.getByRole(AriaRole.BUTTON, button("Resume")).click();
    assertThat(row.getByRole(AriaRole.BUTTON, button("Pause"))).isVisible();
    assertThat(api.get("/api/jobs/cleanup_episodes").json().getBoolean("paused")).isFalse();

    page.locator("#logout").click();
    assertThat(page.locator("#login")).isVisible();
    assertThat(page.locator("#logout")).isHidden();
    var withOldCookie = api.call("GET", "/api/jobs", null,
        Map.of("Cookie", "castbus_session=" + session.value, "X-Forwarded-For", "203.0.113.7"));
    assertThat(withOldCookie.status()).as("the session ended on the server").isEqualTo(401);
    assertThat(page.context().cookies().stream().noneMatch(c -> c.name.equals("castbus_session"))).isTrue();
  }

  @Test
  @DisplayName("on a phone-sized screen the pages fit the width; tables scroll inside their box")
  void phoneLayout() {
    page.setViewportSize(390, 844);
    for (var tab : List.of("jobs", "runs", "podcasts", "downloads", "alerts")) {
      page.navigate(base + "/#" + tab);
      assertThat(page.locator("#" + tab)).isVisible();
      var overflow = (Boolean) page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
      assertThat(overflow).as("page %s is wider than the screen", tab).isFalse();
    }
    page.navigate(base + "/#jobs");
    assertThat(page.locator("tr[data-job=expire_runs]")).isVisible();
  }
}
