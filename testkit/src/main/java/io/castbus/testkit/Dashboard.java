package io.castbus.testkit;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;

/** Steps on the dashboard that several browser tests take the same way. */
public final class Dashboard {

  private Dashboard() {
  }

  /** A button by its exact name, for {@code getByRole(AriaRole.BUTTON, …)}. */
  public static Locator.GetByRoleOptions button(String name) {
    return new Locator.GetByRoleOptions().setName(name).setExact(true);
  }

  /**
   * Opens the failed run {@code runId} from the runs list shown, checks its page gives {@code error}, retries it
   * there and checks the page names the retry; returns the run's page.
   */
  public static Locator retryFromRunPage(Page page, String runId, String error) {
    page.locator("tr[data-run='" + runId + "'] a").click();
    var detail = page.locator("#run-detail");
    assertThat(detail).containsText(error);
    detail.getByRole(AriaRole.BUTTON, button("Retry")).click();
    assertThat(page.locator("#notice")).containsText("Retry queued");
    assertThat(detail).containsText("Retries " + runId);
    return detail;
  }
}
