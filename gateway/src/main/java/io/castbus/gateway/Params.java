package io.castbus.gateway;

import io.vertx.ext.web.RoutingContext;

/**
 * Path and query parameters as the services take them. The OpenAPI document has validated their form before a
 * handler runs, so these only convert.
 */
final class Params {

  private Params() {
  }

  /** The {@code limit} query parameter, or the operation's default. */
  static int limit(RoutingContext ctx, int byDefault) {
    var limit = ctx.request().getParam("limit");
    return limit == null ? byDefault : Integer.parseInt(limit);
  }

  /** A numeric query parameter, or null when absent. */
  static Long queryLong(RoutingContext ctx, String name) {
    var value = ctx.request().getParam(name);
    return value == null ? null : Long.parseLong(value);
  }

  /** A numeric path parameter ({@code /api/podcasts/{id}}). */
  static long pathLong(RoutingContext ctx, String name) {
    return Long.parseLong(ctx.pathParam(name));
  }
}
