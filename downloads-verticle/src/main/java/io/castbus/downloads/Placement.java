package io.castbus.downloads;

import io.castbus.common.files.NameTemplate;
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
  private final NameTemplate folderTemplate;
  private final NameTemplate fileTemplate;

  Placement(Vertx vertx, Episodes episodes, Path downloadDir) {
    this(vertx, episodes, downloadDir, FileNames.DEFAULT_FOLDER, FileNames.DEFAULT_FILE);
  }

  /** With FOLDER_TEMPLATE and FILE_TEMPLATE; a podcast's own templates win over them. */
  Placement(Vertx vertx, Episodes episodes, Path downloadDir, NameTemplate folderTemplate, NameTemplate fileTemplate) {
    this.vertx = vertx;
    this.episodes = episodes;
    this.root = downloadDir.toAbsolutePath().normalize();
    this.folderTemplate = folderTemplate;
    this.fileTemplate = fileTemplate;
  }

  /** The folder name a podcast's template gives it, before uniqueness is decided. */
  String folderBase(String title, String author, String ownTemplate) {
    var template = ownTemplate == null ? folderTemplate : NameTemplate.parse("folder_template", ownTemplate, true);
    return FileNames.folder(template, title, author);
  }

  /** The names an episode's file may take in {@code folder}: the template's, then its copies (2), (3), … */
  List<String> fileCandidates(Episode episode, String folder) {
    var template = episode.fileTemplate() == null ? fileTemplate
        : NameTemplate.parse("file_template", episode.fileTemplate(), false);
    var ext = extensionOf(episode);
    var names = new ArrayList<String>();
    for (var n = 1; n <= COPIES; n++) {
      names.add(folder + "/" + FileNames.episode(template, episode.fields(), ext, n));
    }
    return names;
  }

  /** The extension of the file the episode has (or, before its first download, the one its enclosure names). */
  private static String extensionOf(Episode episode) {
    var own = episode.filePath() != null ? episode.filePath() : episode.target();
    if (own != null) {
      var name = Path.of(own).getFileName().toString();
      var dot = name.lastIndexOf('.');
      if (dot > 0) {
        return name.substring(dot + 1);
      }
    }
    return FileNames.extension(episode.url(), episode.type());
  }

  /** Folder candidates for a base name: itself, then {@code base (2)} … */
  static List<String> folderCandidates(String base) {
    var candidates = new ArrayList<String>();
    candidates.add(base);
    for (var n = 2; n <= COPIES; n++) {
      candidates.add(FileNames.sanitize(base, "Podcast", FileNames.MAX_BYTES - 6) + " (" + n + ")");
    }
    return candidates;
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
    return folder(episode.podcastId(), folderBase(episode.podcastTitle(), episode.podcastAuthor(),
        episode.folderTemplate()), episode.folder());
  }

  /** The podcast's folder (relative to DOWNLOAD_DIR), chosen now when it has none, and created inside it. */
  Future<String> folderCreated(long podcastId, String base, String folder) {
    return folder(podcastId, base, folder).compose(chosen -> {
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

  private Future<String> folder(long podcastId, String base, String folder) {
    if (folder != null) {
      return Future.succeededFuture(folder);
    }
    return episodes.assignFolder(podcastId, folderCandidates(base));
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
    var names = fileCandidates(episode, folder);
    var fallback = fallback(episode, folder);
    return vertx.executeBlocking(() -> {
      createInside(dir);
      return onDisk(names, episode.filePath());
    }, false).compose(taken -> episodes.assignTarget(episode, names, taken, fallback));
  }

  /** The name an episode's file takes when every candidate is taken. */
  String fallback(Episode episode, String folder) {
    return folder + "/" + FileNames.episode(episode.published(), "episode " + episode.id(), extensionOf(episode), 1);
  }

  /** Whether the folder is a safe single name, and the folder created inside DOWNLOAD_DIR (links checked). */
  void createFolder(String folder) throws IOException {
    if (!FileNames.sanitize(folder, "", FileNames.MAX_BYTES).equals(folder)) {
      throw RunFailure.permanent("unsafe_folder", "the podcast's folder '" + folder + "' is not a safe folder name");
    }
    createInside(resolve(folder));
  }

  /** Candidate names used on disk by a file that is not {@code own}. Blocking. */
  java.util.Set<String> takenOnDisk(List<String> names, String own) {
    return onDisk(names, own);
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
