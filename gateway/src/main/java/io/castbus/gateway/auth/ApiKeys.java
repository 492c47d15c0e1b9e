package io.castbus.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** API keys: {@code cb_} and 43 random URL-safe characters; stored only as a SHA-256 hash and a short prefix. */
public final class ApiKeys {

  private static final SecureRandom RANDOM = new SecureRandom();
  static final int PREFIX_LENGTH = 10;

  private ApiKeys() {
  }

  public static String generate() {
    var bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "cb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String key) {
    try {
      var digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The first characters of a key, safe to show so a user can tell keys apart. */
  public static String prefix(String key) {
    return key.substring(0, Math.min(PREFIX_LENGTH, key.length()));
  }
}
