package io.castbus.feeds;

import io.castbus.common.ServiceError;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A private feed's credentials, as a subscription gives them: {@code "auth": {"username", "password"}}, or in the
 * feed URL ({@code https://user:pass@host/feed}), moved out of it on input so the URL stored, shown and exported
 * never holds them. Sent as HTTP Basic to the feed's origin only.
 */
record FeedCredentials(String username, String password) {

  static final int MAX_BYTES = 1024;

  /** The URL without credentials, and the credentials it or {@code auth} gave (null: none given). */
  record Parsed(String url, FeedCredentials credentials, boolean given) {
  }

  /** {@code Authorization: Basic …} for these credentials. */
  String authorization() {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads {@code req}'s {@code auth} and the credentials of {@code url}; {@code given} is whether the request said
   * anything about credentials ({@code "auth": null} removes them).
   */
  static Parsed parse(JsonObject req, String url) {
    URI uri;
    try {
      uri = url == null ? null : new URI(url);
    } catch (URISyntaxException e) {
      return new Parsed(url, null, req.containsKey("auth"));
    }
    FeedCredentials inUrl = null;
    var bare = url;
    if (uri != null && uri.getRawUserInfo() != null) {
      var info = uri.getRawUserInfo();
      var colon = info.indexOf(':');
      inUrl = check(decode(colon < 0 ? info : info.substring(0, colon)),
          colon < 0 ? "" : decode(info.substring(colon + 1)), "rss_url");
      try {
        bare = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath() == null ? null
            : uri.getPath(), uri.getQuery(), uri.getFragment()).toString();
      } catch (URISyntaxException e) {
        throw ServiceError.badRequest("rss_url: " + e.getMessage());
      }
    }
    if (!req.containsKey("auth")) {
      return new Parsed(bare, inUrl, inUrl != null);
    }
    if (inUrl != null) {
      throw ServiceError.badRequest("auth: give the credentials either in rss_url or in auth, not both");
    }
    var auth = req.getValue("auth");
    if (auth == null) {
      return new Parsed(bare, null, true);
    }
    if (!(auth instanceof JsonObject a) || !(a.getValue("username") instanceof String user)
        || (a.getValue("password") != null && !(a.getValue("password") instanceof String))) {
      throw ServiceError.badRequest("auth must be {\"username\": \"…\", \"password\": \"…\"} or null");
    }
    return new Parsed(bare, check(user, a.getString("password", ""), "auth"), true);
  }

  private static FeedCredentials check(String username, String password, String field) {
    if (username.isEmpty()) {
      throw ServiceError.badRequest(field + ": the user name must not be empty");
    }
    if (username.contains(":") || username.chars().anyMatch(Character::isISOControl)) {
      throw ServiceError.badRequest(field + ": the user name must not contain ':' or control characters");
    }
    if (username.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw ServiceError.badRequest(field + ".username must be at most " + MAX_BYTES + " bytes");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw ServiceError.badRequest(field + ".password must be at most " + MAX_BYTES + " bytes");
    }
    return new FeedCredentials(username, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** What an answer says of credentials: the user name and that a password is set, never the password. */
  static JsonObject shown(String username, boolean passwordSet) {
    return username == null ? null : new JsonObject().put("username", username).put("password_set", passwordSet);
  }

  @Override
  public String toString() {
    return "FeedCredentials[" + username + ", ***]";
  }
}
