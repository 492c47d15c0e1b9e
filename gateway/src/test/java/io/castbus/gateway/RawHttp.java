package io.castbus.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Requests written byte for byte over a socket, for what an HTTP client will not send (odd Host headers, CL+TE). */
final class RawHttp {

  /** What came back: the status line's code (0 for none), the whole text, and whether the server closed. */
  record Answer(int status, String text, boolean closed) {
  }

  private RawHttp() {
  }

  static Answer send(int port, String request) {
    return send(port, request.getBytes(StandardCharsets.ISO_8859_1), 10_000);
  }

  /** Writes {@code request}, then reads until the server closes or {@code readMillis} pass without a byte. */
  static Answer send(int port, byte[] request, int readMillis) {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(readMillis);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException closedWhileWriting) {
        // the server answered and closed before taking it all: read what it said
      }
      var in = socket.getInputStream();
      var out = new ByteArrayOutputStream();
      var buffer = new byte[8192];
      var closed = false;
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException stillOpen) {
        // the server kept the connection open
      } catch (IOException reset) {
        closed = true;
      }
      var text = out.toString(StandardCharsets.UTF_8);
      var status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
      return new Answer(status, text, closed);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String get(String path, String host) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  }
}
