package io.castbus.downloads;

import io.castbus.common.queue.RunFailure;
import io.castbus.downloads.Episodes.Episode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Where an episode's file goes: {@code DOWNLOAD_DIR/<podcast folder>/<yyyy-MM-dd> - <title>.<ext>}, the folder
 * decided once per podcast and the name once per episode (both unique, case-insensitively), and the result checked
 * to lie inside {@code DOWNLOAD_DIR} — through links too — before anything is written.
 */
final class Placement {

  private static final int COPIES = 20;

  private final Vertx vertx;
  private final Episodes episodes;
  private final Path root;

  Placement(Vertx vertx, Episodes episodes, Path downloadDir) {
    this.vertx = vertx;
    this.episodes = episodes;
    this.root = downloadDir.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** The episode's file, relative to DOWNLOAD_DIR, with its folder created. */
  Future<String> place(Episode episode) {
    return folder(episode).compose(folder -> target(episode, folder));
  }

  /** The absolute path of a stored relative path, refused unless it stays inside DOWNLOAD_DIR. */
  Path resolve(String relative) {
    var path = root.resolve(relative).normalize();
    if (!path.startsWith(root) || path.equals(root) || Path.of(relative).isAbsolute()) {
      throw RunFailure.permanent("unsafe_path", "the path '" + relative + "' is outside DOWNLOAD_DIR " + root);
    }
    return path;
  }

  private Future<String> folder(Episode episode) {
    return folder(episode.podcastId(), episode.podcastTitle(), episode.folder());
  }

  /** The podcast's folder (relative to DOWNLOAD_DIR), chosen now when it has none, and created inside it. */
  Future<String> folderCreated(long podcastId, String podcastTitle, String folder) {
    return folder(podcastId, podcastTitle, folder).compose(chosen -> {
      if (!FileNames.sanitize(chosen, "", FileNames.MAX_BYTES).equals(chosen)) {
        return Future.failedFuture(RunFailure.permanent("unsafe_folder", "the podcast's folder '" + chosen
            + "' is not a safe folder name"));
      }
      var dir = resolve(chosen);
      return vertx.executeBlocking(() -> {
        createInside(dir);
        return chosen;
      }, false);
    });
  }

  private Future<String> folder(long podcastId, String podcastTitle, String folder) {
    if (folder != null) {
      return Future.succeededFuture(folder);
    }
    var base = FileNames.folder(podcastTitle);
    var candidates = new ArrayList<String>();
    candidates.add(base);
    for (var n = 2; n <= COPIES; n++) {
      candidates.add(FileNames.sanitize(base, "Podcast", FileNames.MAX_BYTES - 6) + " (" + n + ")");
    }
    return episodes.assignFolder(podcastId, candidates);
  }

  private Future<String> target(Episode episode, String folder) {
    if (!FileNames.sanitize(folder, "", FileNames.MAX_BYTES).equals(folder)) {
      return Future.failedFuture(RunFailure.permanent("unsafe_folder", "the podcast's folder '" + folder
          + "' is not a safe folder name"));
    }
    var dir = resolve(folder);
    if (episode.target() != null) {
      return vertx.executeBlocking(() -> {
        createInside(dir);
        resolve(episode.target());
        return episode.target();
      }, false);
    }
    var ext = FileNames.extension(episode.url(), episode.type());
    var names = new ArrayList<String>();
    for (var n = 1; n <= COPIES; n++) {
      names.add(folder + "/" + FileNames.episode(episode.published(), episode.title(), ext, n));
    }
    var fallback = folder + "/" + FileNames.episode(episode.published(), "episode " + episode.id(), ext, 1);
    return vertx.executeBlocking(() -> {
      createInside(dir);
      return onDisk(names, episode.filePath());
    }, false).compose(taken -> episodes.assignTarget(episode, names, taken, fallback));
  }

  private List<String> existing(List<String> names) {
    return names.stream().filter(n -> Files.exists(resolve(n)) || Files.exists(resolve(n + FileNames.PART))).toList();
  }

  /** Candidate names already used on disk by a file that is not this episode's own. */
  private java.util.Set<String> onDisk(List<String> names, String own) {
    var taken = new HashSet<>(existing(names));
    if (own != null) {
      taken.remove(own);
    }
    return taken;
  }

  private void createInside(Path dir) throws IOException {
    Files.createDirectories(dir);
    var realRoot = root.toRealPath();
    if (!dir.toRealPath().startsWith(realRoot)) {
      throw RunFailure.permanent("unsafe_path", "the folder " + dir + " leads outside DOWNLOAD_DIR through a link");
    }
  }
}
