package io.castbus.app;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.castbus.common.config.Settings;
import io.castbus.testkit.ApiClient;
import io.castbus.testkit.ChildProcess;
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

  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir
  static Path data;
  static TestDatabase db;
  static CastbusApp app;
  static ApiClient api;
  static String base;
  static Playwright playwright;
  static Browser browser;
  Page page;

  @BeforeAll
  static void start() throws Exception {
    // A file where the backups folder should be: backup_database fails, as a disk problem would make it.
    Files.writeString(data.resolve("backups"), "not a folder");
    db = TestDatabase.create("app_dashboard");
    var port = ChildProcess.freePort();
    base = "http://127.0.0.1:" + port;
    app = CastbusApp.start(Settings.load(Map.of("HTTP_PORT", String.valueOf(port), "DATA_DIR", data.toString(),
        "DOWNLOAD_DIR", data.resolve("downloads").toString(), "DATABASE_URL", db.url()), Settings.AuthMode.LOCAL_OPEN));
    api = new ApiClient(base, null);
    playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (app != null) {
      app.close();
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

  private static Locator.GetByRoleOptions button(String name) {
    return new Locator.GetByRoleOptions().setName(name).setExact(true);
  }

  @Test
  @DisplayName("Jobs: every job with its schedule and health; pause and resume a job with a click")
  void pauseAndResume() {
    page.navigate(base + "/");
    var row = page.locator("tr[data-job=expire_runs]");
    assertThat(row).containsText("Expire Run History");
    assertThat(row).containsText("interval[1:00:00]");
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
