package io.castbus.common.config;

/** A setting with a bad value: start-up stops with this message, which names the setting. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}
