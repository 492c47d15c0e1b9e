package io.castbus.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The all-in-one carries one PostgreSQL major for every platform the embedded database supports")
class EmbeddedBinariesTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgres-linux-x86_64.txz", "postgres-linux-arm_64.txz",
      "postgres-linux-x86_64-alpine_linux.txz", "postgres-darwin-x86_64.txz", "postgres-darwin-arm_64.txz",
      "postgres-windows-x86_64.txz"})
  @DisplayName("each platform's binaries are on the class path once, from the 16.4.0 release")
  void oneVersionEverywhere(String archive) throws Exception {
    var found = Collections.list(EmbeddedBinariesTest.class.getClassLoader().getResources(archive));
    assertThat(found).as(archive).hasSize(1);
    assertThat(found.get(0).toString()).as(archive).contains("/16.4.0/");
  }
}
