package io.castbus.gateway;

import io.castbus.common.ServiceError;
import io.castbus.common.cluster.ClusterSetup;
import io.castbus.gateway.auth.HostHeader;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Refuses, before anything else reads it, a request whose addressing or framing is ambiguous: no {@code Host}, more
 * than one, or one that is not a host and port; both {@code Content-Length} and {@code Transfer-Encoding} (a proxy
 * and this server could disagree on where the request ends); a method Castbus does not serve answers 501. The
 * answer is 400, and the connection closes, since
 * what follows on it cannot be trusted. The sender's values are never echoed.
 */
final class RequestHygiene {

  private static final java.util.regex.Pattern KNOWN = java.util.regex.Pattern.compile(ClusterSetup.KNOWN_METHODS);

  private RequestHygiene() {
  }

  /** Routes a request that passes to {@code next}; answers any other itself, before the router sees it. */
  static Handler<HttpServerRequest> before(Handler<HttpServerRequest> next) {
    return request -> {
      var refusal = refusal(request);
      if (refusal == null) {
        next.handle(request);
      } else {
        HttpErrors.sendAndClose(request, refusal);
      }
    };
  }

  private static ServiceError refusal(HttpServerRequest request) {
    var headers = request.headers();
    var hosts = headers.getAll("Host");
    if (hosts.isEmpty()) {
      return ServiceError.badRequest("the request has no Host header");
    }
    if (hosts.size() > 1) {
      return ServiceError.badRequest("the request has more than one Host header");
    }
    if (HostHeader.host(hosts.get(0)).isEmpty()) {
      return ServiceError.badRequest("the Host header is not a host name or address with an optional port");
    }
    if (headers.contains(FramingGuardDecoder.MARK)
        || headers.contains("Transfer-Encoding") && headers.contains("Content-Length")) {
      return ServiceError.badRequest("the request has both Content-Length and Transfer-Encoding");
    }
    if (headers.getAll("Content-Length").size() > 1) {
      return ServiceError.badRequest("the request has more than one Content-Length header");
    }
    if (!KNOWN.matcher(request.method().name()).matches()) {
      return new ServiceError(501, "not_implemented", "this server does not implement that method");
    }
    return null;
  }
}
