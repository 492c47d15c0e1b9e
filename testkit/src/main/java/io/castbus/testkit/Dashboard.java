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
   * Checks the failed run {@code runId}'s row in the runs list shown gives {@code error} and the end of its id, opens
   * the run's page, checks it gives {@code error} too, retries it there and checks the page names the retry; returns
   * the run's page.
   */
  public static Locator retryFromRunPage(Page page, String runId, String error) {
    var row = page.locator("tr[data-run='" + runId + "']");
    assertThat(row.locator(".run-error")).containsText(error);
    assertThat(row.locator("a")).hasText("…" + runId.substring(runId.length() - 8));
    row.locator("a").click();
    var detail = page.locator("#run-detail");
    assertThat(detail).containsText(error);
    detail.getByRole(AriaRole.BUTTON, button("Retry")).click();
    assertThat(page.locator("#notice")).containsText("Retry queued");
    assertThat(detail).containsText("Retries " + runId);
    return detail;
  }
}
