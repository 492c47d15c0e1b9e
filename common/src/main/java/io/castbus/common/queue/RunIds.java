package io.castbus.common.queue;

import java.security.SecureRandom;
import java.util.UUID;

/** Time-ordered run ids (UUID version 7): the primary key doubles as FIFO order and keeps index inserts local. */
public final class RunIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {
  }

  public static UUID next() {
    var millis = System.currentTimeMillis();
    var high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    var low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
