package io.castbus.feeds;

import java.time.Duration;

/**
 * How feeds are fetched.
 *
 * @param connectTimeout time to open the connection
 * @param idleTimeout    longest silence from the server before giving up
 * @param totalTimeout   longest time for the whole fetch, redirects included
 * @param maxBytes       largest feed accepted, counted after decompression while it streams in
 * @param maxRedirects   redirects followed before giving up
 */
public record FetchOptions(
    Duration connectTimeout, Duration idleTimeout, Duration totalTimeout, long maxBytes, int maxRedirects,
    String userAgent) {

  public static final FetchOptions DEFAULTS = new FetchOptions(Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(120), 50L * 1024 * 1024, 5,
      "Castbus/0.1 (self-hosted podcast manager; feed refresh)");

  public FetchOptions timeouts(Duration connect, Duration idle, Duration total) {
    return new FetchOptions(connect, idle, total, maxBytes, maxRedirects, userAgent);
  }

  public FetchOptions maxBytes(long bytes) {
    return new FetchOptions(connectTimeout, idleTimeout, totalTimeout, bytes, maxRedirects, userAgent);
  }
}
