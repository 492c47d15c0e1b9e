package io.castbus.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: {@code cb_} and 43 random URL-safe characters; stored only as a keyed hash (see {@link KeyHasher}) and a
 * short prefix.
 */
public final class ApiKeys {

  private static final SecureRandom RANDOM = new SecureRandom();
  static final int PREFIX_LENGTH = 4;
  private static final java.util.regex.Pattern GENERATED = java.util.regex.Pattern.compile("cb_[A-Za-z0-9_-]{43}");

  private ApiKeys() {
  }

  public static String generate() {
    return "cb_" + randomToken();
  }

  /** 32 random bytes, URL-safe Base64 without padding (43 characters). */
  public static String randomToken() {
    var bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The plain SHA-256 keys were stored as before keyed hashes; still read to upgrade such keys on first use. */
  public static String sha256(String key) {
    try {
      var digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * What may be shown of a key: the first 4 characters of a generated one ({@code cb_} and one random character),
   * nothing of one a person chose (a chosen key may be short enough that its start is most of it).
   */
  public static String prefix(String key) {
    return GENERATED.matcher(key).matches() ? key.substring(0, PREFIX_LENGTH) : "";
  }
}
