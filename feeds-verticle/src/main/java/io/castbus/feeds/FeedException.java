package io.castbus.feeds;

/**
 * Why a feed could not be fetched or read: a short code ({@code http_404}, {@code not_a_feed}, {@code too_large},
 * …), a human message naming the cause, and whether trying again later can help.
 */
public final class FeedException extends RuntimeException {

  private final String code;
  private final boolean permanent;

  public FeedException(String code, String message, boolean permanent) {
    super(message, null, false, false);
    this.code = code;
    this.permanent = permanent;
  }

  public static FeedException permanent(String code, String message) {
    return new FeedException(code, message, true);
  }

  public static FeedException transientFailure(String code, String message) {
    return new FeedException(code, message, false);
  }

  public String code() {
    return code;
  }

  public boolean permanent() {
    return permanent;
  }
}
