package io.castbus.cluster;

import io.castbus.testkit.WalkingPodcast;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A podcast on loopback: a feed of episodes 1..n (newest first) whose audio is sent slowly, 16 KiB every 250 ms
 * (an episode of 256 KiB takes 4 s), so a process can be killed while it downloads.
 */
final class SlowFeedServer implements AutoCloseable {

  private static final int CHUNK = 16 * 1024;
  private static final long CHUNK_EVERY_MS = 250;
  private static final Pattern MEDIA = Pattern.compile("/media/walk-(\\d+)\\.mp3");

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger published;
  private final HttpServer server;

  SlowFeedServer(int episodes) throws Exception {
    published = new AtomicInteger(episodes);
    server = vertx.createHttpServer().requestHandler(req -> {
      var media = MEDIA.matcher(req.path());
      if (media.matches()) {
        sendSlowly(req.response(), WalkingPodcast.audio(Integer.parseInt(media.group(1))));
      } else {
        req.response().putHeader("Content-Type", "application/rss+xml")
            .end(WalkingPodcast.feed("http://127.0.0.1:" + req.localAddress().port() + "/media", published.get()));
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  String feedUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/walk.xml";
  }

  /** From now on the feed lists episodes 1..n. */
  void publish(int episodes) {
    published.set(episodes);
  }

  private void sendSlowly(HttpServerResponse response, byte[] bytes) {
    response.putHeader("Content-Type", "audio/mpeg").putHeader("Content-Length", String.valueOf(bytes.length));
    var sent = new int[1];
    vertx.setPeriodic(CHUNK_EVERY_MS, timer -> {
      if (response.closed()) {
        vertx.cancelTimer(timer);
        return;
      }
      var end = Math.min(bytes.length, sent[0] + CHUNK);
      var chunk = Buffer.buffer(Arrays.copyOfRange(bytes, sent[0], end));
      sent[0] = end;
      if (end == bytes.length) {
        vertx.cancelTimer(timer);
        response.end(chunk);
      } else {
        response.write(chunk);
      }
    });
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
