package io.castbus.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 of API keys under a server-side pepper, so a copy of the {@code api_keys} table alone cannot be used to
 * test guesses. The hash is deterministic, so the lookup stays one indexed query.
 */
final class KeyHasher {

  static final String SCHEME = "hmac-sha256";
  static final String LEGACY_SCHEME = "sha256";

  private final SecretKeySpec pepper;

  KeyHasher(byte[] pepper) {
    if (pepper.length < 32) {
      throw new IllegalArgumentException("the key pepper must be at least 32 bytes");
    }
    this.pepper = new SecretKeySpec(pepper, "HmacSHA256");
  }

  String hash(String key) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(pepper);
      return HexFormat.of().formatHex(mac.doFinal(key.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  /** Compares two hashes in time that does not depend on where they differ. */
  static boolean same(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
