package io.castbus.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by name (an API key, a client address): each holds up to a minute's allowance and refills
 * continuously, so a client may burst to its per-minute limit and then go on at the steady rate. Idle buckets
 * (full again) are dropped when many are held. A limit of 0 allows everything.
 */
final class RateLimiter {

  private static final int SWEEP_ABOVE = 10_000;

  private final double capacity;
  private final double perMilli;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  RateLimiter(int perMinute) {
    this.capacity = perMinute;
    this.perMilli = perMinute / 60_000.0;
  }

  /** Takes one token for {@code name}: 0 when allowed, else the milliseconds until the next token. */
  long take(String name, long nowMillis) {
    if (capacity <= 0) {
      return 0;
    }
    if (buckets.size() > SWEEP_ABOVE) {
      buckets.entrySet().removeIf(e -> refilled(e.getValue(), nowMillis) >= capacity);
    }
    var bucket = buckets.computeIfAbsent(name, n -> new Bucket(capacity, nowMillis));
    synchronized (bucket) {
      bucket.tokens = refilled(bucket, nowMillis);
      bucket.at = Math.max(bucket.at, nowMillis);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - bucket.tokens) / perMilli);
    }
  }

  private double refilled(Bucket bucket, long nowMillis) {
    return Math.min(capacity, bucket.tokens + Math.max(0, nowMillis - bucket.at) * perMilli);
  }
}
