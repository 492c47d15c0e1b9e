package io.castbus.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The default retry policy")
class JobTypeOptionsTest {

  @Test
  @DisplayName("three retries after the first attempt, waiting 2, 4 and 8 s, as the seeds ask")
  void threeRetriesTwoFourEight() {
    var defaults = JobTypeOptions.DEFAULTS;
    assertThat(defaults.maxAttempts()).isEqualTo(4);
    assertThat(defaults.backoffAfter(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(defaults.backoffAfter(2)).isEqualTo(Duration.ofSeconds(4));
    assertThat(defaults.backoffAfter(3)).isEqualTo(Duration.ofSeconds(8));
  }
}
