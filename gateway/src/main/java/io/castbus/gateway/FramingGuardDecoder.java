package io.castbus.gateway;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import io.netty.handler.codec.http.HttpMessage;

/**
 * Vert.x's HTTP/1.x request decoder, but a request with both {@code Content-Length} and
 * {@code Transfer-Encoding: chunked} keeps a mark of it: Netty drops the Content-Length and goes on, which leaves
 * nothing for {@link RequestHygiene} to refuse. Vert.x 5.0 offers no option for this, so the decoder is swapped on
 * each new connection, before it has read anything.
 */
final class FramingGuardDecoder extends VertxHttpRequestDecoder {

  static final String MARK = "x-castbus-framing";

  private FramingGuardDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.headers().set(MARK, "content-length-and-chunked");
  }

  /** Puts the guarded decoder in place of the connection's own, when the connection is an HTTP/1.x one. */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base && base.channel().pipeline().get("httpDecoder") != null) {
      base.channel().pipeline().replace("httpDecoder", "httpDecoder", new FramingGuardDecoder(options));
    }
  }
}
