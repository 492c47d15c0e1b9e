package io.castbus.common.crypto;

import io.castbus.common.config.Settings;
import io.castbus.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets users give (private feeds' passwords) with AES-256-GCM before they are stored. The key is
 * SHA-256 of {@code SECRET_KEY}, or — when that is unset — 32 random bytes generated into
 * {@code DATA_DIR/secret-key} (mode 0600) on first start; every process that reads them needs the same key (set
 * SECRET_KEY in a cluster). A sealed value is a version byte, a 12-byte random nonce and the ciphertext with its tag.
 */
public final class SecretBox {

  static final String KEY_FILE = "secret-key";
  private static final byte VERSION = 1;
  private static final int NONCE = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The value could not be opened: another key sealed it, or it is damaged. */
  public static final class Unreadable extends RuntimeException {
    Unreadable(String message) {
      super(message);
    }
  }

  private final SecretKeySpec key;

  SecretBox(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The box of these settings. Blocking (it may read or create the key file): call it off the event loop. */
  public static SecretBox of(Settings settings) throws IOException {
    if (settings.secretKey() != null) {
      return new SecretBox(sha256(settings.secretKey()));
    }
    var file = settings.dataDir().resolve(KEY_FILE);
    if (!Files.exists(file)) {
      Files.createDirectories(settings.dataDir());
      var fresh = new byte[32];
      RANDOM.nextBytes(fresh);
      try {
        // Created exclusively (mode 0600): of processes starting at once, one makes the key and the others read it.
        PrivateFiles.create(file);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
          channel.write(ByteBuffer.wrap(HexFormat.of().formatHex(fresh).getBytes(StandardCharsets.US_ASCII)));
          channel.force(true);
        }
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // Another process made it first: theirs is read below.
      }
    }
    for (var tries = 0; ; tries++) {
      var hex = Files.readString(file).strip();
      if (hex.length() == 64) {
        return new SecretBox(HexFormat.of().parseHex(hex));
      }
      if (tries >= 40) {
        throw new IOException(file + " does not hold a key (64 hex digits); delete it to have one made");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading " + file, e);
      }
    }
  }

  public byte[] seal(String plaintext) {
    try {
      var nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      var cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      var sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is missing from this JVM", e);
    }
  }

  public String open(byte[] sealed) {
    if (sealed == null || sealed.length < 1 + NONCE + 16 || sealed[0] != VERSION) {
      throw new Unreadable("the stored secret is damaged");
    }
    try {
      var cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 1, NONCE));
      return new String(cipher.doFinal(sealed, 1 + NONCE, sealed.length - 1 - NONCE), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new Unreadable("the stored secret was sealed with another key: every Castbus process needs the same "
          + "SECRET_KEY (or DATA_DIR/" + KEY_FILE + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is missing from this JVM", e);
    }
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
