package io.castbus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Real audio files for tests (three seconds of a sine tone as MP3 and as AAC in M4A; see audio/LICENSE). */
public final class Audio {

  private Audio() {
  }

  public static byte[] mp3() {
    return resource("tone.mp3");
  }

  public static byte[] m4a() {
    return resource("tone.m4a");
  }

  private static byte[] resource(String name) {
    try (var in = Audio.class.getResourceAsStream("/audio/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the test audio file audio/" + name + " is missing from the testkit");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
