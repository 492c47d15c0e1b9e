package io.castbus.downloads;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * A file as the end of a pipe: buffers queue up on the event loop and are written in batches by one blocking
 * gathering write at a time on a worker thread, so a fast socket costs a few thread hops per megabyte rather than
 * one per network read. Back-pressure past {@code highWater} queued bytes keeps memory flat whatever the file size.
 * Bytes arriving before the file is open simply wait in the queue. Every {@value #SYNC_EVERY} bytes written, an
 * fdatasync starts on another worker thread while writing goes on, so the disk takes the file as it arrives rather
 * than all at the end: {@link #closeSynced()} then writes what is queued and fsyncs only the last stretch.
 */
final class FileSink implements WriteStream<Buffer> {

  private static final int BATCH_BUFFERS = 256;
  /** At most this much per write, so the socket keeps filling the queue while the disk takes a batch. */
  private static final long BATCH_BYTES = 1024 * 1024;
  /** Room above a batch's size for its last buffer, which may take it past {@link #BATCH_BYTES}. */
  private static final int MAX_BUFFER_BYTES = 256 * 1024;
  /** Written bytes after which a background sync starts, so little is left for the sync at the end. */
  static final long SYNC_EVERY = 4L * 1024 * 1024;

  private final Vertx vertx;
  private final long highWater;
  private final Predicate<Buffer> accept;
  private final Handler<Throwable> onFailure;
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  /** Where a batch is gathered for its write; one write is in flight at a time, so one buffer serves them all. */
  private final ByteBuffer staging = ByteBuffer.allocateDirect((int) BATCH_BYTES + MAX_BUFFER_BYTES);
  private FileChannel channel;
  private long queued;
  private boolean writing;
  private long unsynced;
  private Future<Void> syncing = Future.succeededFuture();
  private boolean closing;
  private boolean discarded;
  private Throwable failure;
  private Handler<Void> drain;
  private final Promise<Void> flushed = Promise.promise();

  private FileSink(Vertx vertx, long highWater, Predicate<Buffer> accept, Handler<Throwable> onFailure) {
    this.vertx = vertx;
    this.highWater = highWater;
    this.accept = accept;
    this.onFailure = onFailure;
  }

  /**
   * Opens {@code path} for writing at {@code position} (truncated when 0) in the background. {@code accept} sees
   * each buffer first and may refuse it (the transfer is then over); {@code onFailure} hears of a failed write.
   */
  static FileSink open(Vertx vertx, Path path, long position, long highWater, Predicate<Buffer> accept,
      Handler<Throwable> onFailure) {
    var sink = new FileSink(vertx, highWater, accept, onFailure);
    vertx.executeBlocking(() -> {
      var ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (position == 0) {
        ch.truncate(0);
      }
      ch.position(position);
      return ch;
    }, false).onComplete(ar -> {
      if (ar.succeeded() && sink.discarded) {
        vertx.executeBlocking(() -> {
          ar.result().close();
          return null;
        }, false);
      } else if (ar.succeeded()) {
        sink.channel = ar.result();
        sink.next();
      } else {
        sink.fail(ar.cause());
      }
    });
    return sink;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (!accept.test(data)) {
      return Future.failedFuture("refused");
    }
    // The buffer's own bytes, not a copy: Vert.x hands each received chunk over and does not reuse it.
    queue.add(((BufferInternal) data).getByteBuf().nioBuffer());
    queued += data.length();
    next();
    return Future.succeededFuture();
  }

  private void next() {
    if (writing || channel == null || failure != null) {
      return;
    }
    if (queue.isEmpty()) {
      if (closing) {
        flushed.tryComplete();
      }
      return;
    }
    writing = true;
    var taken = new java.util.ArrayList<ByteBuffer>();
    var bytes = 0L;
    while (!queue.isEmpty() && taken.size() < BATCH_BUFFERS && bytes < BATCH_BYTES) {
      var next = queue.poll();
      taken.add(next);
      bytes += next.remaining();
    }
    var batch = taken.toArray(ByteBuffer[]::new);
    var size = bytes;
    var ch = channel;
    var staging = this.staging;
    vertx.executeBlocking(() -> {
      // One copy into this sink's own direct buffer, then one write: the JDK would copy each heap buffer into a
      // temporary direct buffer of its own, allocating past its small per-thread cache.
      if (size > staging.capacity()) {
        var left = size;
        while (left > 0) {
          left -= ch.write(batch);
        }
        return null;
      }
      staging.clear();
      for (var buffer : batch) {
        staging.put(buffer);
      }
      staging.flip();
      while (staging.hasRemaining()) {
        ch.write(staging);
      }
      return null;
    }, false).onComplete(ar -> {
      writing = false;
      queued -= size;
      if (ar.failed()) {
        fail(ar.cause());
        return;
      }
      unsynced += size;
      if (unsynced >= SYNC_EVERY && syncing.isComplete()) {
        unsynced = 0;
        syncing = vertx.<Void>executeBlocking(() -> {
          ch.force(false);
          return null;
        }, false).onFailure(e -> {
          if (!discarded) {
            fail(e);
          }
        });
      }
      if (drain != null && queued <= highWater - BATCH_BYTES) {
        var handler = drain;
        drain = null;
        handler.handle(null);
      }
      next();
    });
  }

  private void fail(Throwable cause) {
    if (failure != null) {
      return;
    }
    failure = cause;
    queue.clear();
    flushed.tryFail(cause);
    onFailure.handle(cause);
  }

  /** Writes what is queued, fsyncs and closes; fails with the write error when there was one. */
  Future<Void> closeSynced() {
    closing = true;
    next();
    return flushed.future().transform(ar -> syncing.transform(background -> vertx.executeBlocking(() -> {
      if (channel != null) {
        try (var ch = channel) {
          if (ar.succeeded()) {
            ch.force(false);
          }
        }
      }
      return null;
    }, false)).compose(v -> ar.succeeded() ? Future.<Void>succeededFuture() : Future.failedFuture(ar.cause())));
  }

  /** Closes without syncing, dropping what is queued (the transfer failed). */
  Future<Void> discard() {
    closing = true;
    discarded = true;
    queue.clear();
    queued = 0;
    flushed.tryComplete();
    var ch = channel;
    return ch == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      ch.close();
      return null;
    }, false);
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return failure == null && queued >= highWater;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    drain = handler;
    return this;
  }
}
