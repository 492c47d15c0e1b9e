package io.castbus.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** PKCS#12 keystores for TLS tests, made with the JDK's own keytool. */
public final class Keystores {

  private Keystores() {
  }

  /** A new EC key pair with a self-signed certificate (CN={@code name}, 2 days) in {@code dir/name.p12}. */
  public static Path selfSigned(Path dir, String name, String password) throws IOException, InterruptedException {
    var keystore = dir.resolve(name + ".p12");
    var keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    var process = new ProcessBuilder(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
        .redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    return keystore;
  }
}
