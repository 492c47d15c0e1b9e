package io.castbus.cluster;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.castbus.cluster.ClusterFixture.answered;
import static io.castbus.testkit.Dashboard.button;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.castbus.testkit.Chromium;
import io.castbus.testkit.Dashboard;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The dashboard in Chromium against a cluster of separate processes: search, retry, bulk cancel, "
    + "pause and cap a run type, a schedule's preview")
class ClusterDashboardTest {

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> MODULES = List.of("gateway", "scheduler-verticle", "cleanup-verticle");
  private static final String TYPE = "cluster_probe";

  @Test
  @DisplayName("logged in with a key, a person finds a failed run by its error, retries it from its page, pauses, "
      + "caps and resumes its type, bulk-cancels the retry and previews a schedule, all served across processes")
  void runControlAcrossProcesses() throws Exception {
    Files.createDirectories(SCREENSHOTS);
    try (var cluster = new ClusterFixture("dashboard", MODULES.size());
        var chromium = Chromium.launch()) {
      var members = cluster.startAll(MODULES, Map.of(), START);
      var api = cluster.api(members.get(0));
      var failed = UUID.randomUUID().toString();
      cluster.db.execute("insert into runs (id, type, status, error, finished_at) values ('" + failed + "', '" + TYPE
          + "', 'failed', '{\"code\": \"failed\", \"message\": \"the archive answered teapot\"}', now())");

      var page = chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 800)).newPage();
      try {
        page.navigate(members.get(0).baseUrl() + "/#runs");
        page.locator("#login input[name=key]").fill(ClusterFixture.ADMIN_KEY);
        page.locator("#login button").click();
        assertThat(page.locator("#live")).hasText("live");

        page.locator("#run-filter input[name=q]").fill("teapot");
        page.locator("#run-filter button").click();
        assertThat(page.locator("#runs tbody tr .status")).hasCount(1);
        Dashboard.retryFromRunPage(page, failed, "the archive answered teapot");

        page.locator("nav a[data-tab=types]").click();
        var row = page.locator("tr[data-type=" + TYPE + "]");
        row.getByRole(AriaRole.BUTTON, button("Pause")).click();
        assertThat(row.locator(".status.paused")).isVisible();
        Assertions.assertThat(runType(api).getBoolean("paused")).isTrue();
        row.getByLabel("cap of " + TYPE).fill("2");
        row.getByRole(AriaRole.BUTTON, button("Set")).click();
        assertThat(page.locator("#notice")).containsText(TYPE + ": cap 2");
        Assertions.assertThat(runType(api).getJsonObject("concurrency").getInteger("cluster")).isEqualTo(2);
        row.getByRole(AriaRole.BUTTON, button("Resume")).click();
        assertThat(row.getByRole(AriaRole.BUTTON, button("Pause"))).isVisible();

        page.locator("nav a[data-tab=runs]").click();
        page.locator("#run-filter input[name=q]").fill("");
        page.locator("#run-filter input[name=type]").fill(TYPE);
        page.locator("#run-filter select[name=status]").selectOption("queued");
        page.locator("#run-filter button").click();
        assertThat(page.locator("#runs tbody tr .status")).hasCount(1);
        page.onDialog(dialog -> dialog.accept());
        page.locator("#run-bulk").getByRole(AriaRole.BUTTON, button("Cancel")).click();
        assertThat(page.locator("#notice")).containsText("1 of 1 matched runs done");
        Assertions.assertThat(answered(api, "GET", "/api/runs?type=" + TYPE + "&status=cancelled", null, 200, WAIT)
            .json().getJsonArray("runs")).hasSize(1);

        page.locator("nav a[data-tab=jobs]").click();
        page.locator("tr[data-job=cleanup_episodes]").getByRole(AriaRole.BUTTON, button("Schedule")).click();
        assertThat(page.locator("#job-detail ol.preview li")).hasCount(5);
      } finally {
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
            .setPath(SCREENSHOTS.resolve("clusterRunControl.png")));
      }
    }
  }

  private static JsonObject runType(io.castbus.testkit.ApiClient api) {
    return answered(api, "GET", "/api/run-types", null, 200, WAIT).json().getJsonArray("run_types").stream()
        .map(JsonObject.class::cast).filter(t -> t.getString("type").equals(TYPE)).findFirst().orElseThrow();
  }
}
