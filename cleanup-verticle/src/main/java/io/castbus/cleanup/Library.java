package io.castbus.cleanup;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The download library as the cleanup module touches it: every path is checked to lie inside {@code DOWNLOAD_DIR}
 * before anything is deleted. Stored paths may be relative to the library or absolute; a path with {@code ..}, a
 * symbolic link, or a folder that leads outside the library (through a link) is refused, never followed. A
 * {@code DOWNLOAD_DIR} that is itself a link is followed once: its target is the library. Blocking: call it off the
 * event loop.
 */
final class Library {

  private final Path root;

  Library(Path downloadDir) {
    this.root = downloadDir.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** The library's real folder, or null when it does not exist yet. */
  Path realRoot() throws IOException {
    return Files.exists(root) ? root.toRealPath() : null;
  }

  sealed interface Outcome permits Deleted, Missing, Refused {
  }

  record Deleted(Path path, long bytes) implements Outcome {
  }

  record Missing(Path path) implements Outcome {
  }

  record Refused(String reason) implements Outcome {
  }

  /** Where a stored path points, or a refusal saying why it may not be touched. */
  Outcome locate(String stored) throws IOException {
    return open().locate(stored);
  }

  /** Deletes the file a stored path names, if it may; idempotent (a file already gone is {@link Missing}). */
  Outcome delete(String stored) throws IOException {
    return open().delete(stored);
  }

  /** A view of the library for one batch of work: its real root and checked folders are looked up once. */
  Scope open() throws IOException {
    return new Scope(realRoot());
  }

  final class Scope {

    private final Path real;
    private final java.util.Map<Path, Boolean> folderInside = new java.util.HashMap<>();
    private final java.util.Set<Path> touched = new java.util.HashSet<>();

    private Scope(Path real) {
      this.real = real;
    }

    Outcome locate(String stored) throws IOException {
      if (stored == null || stored.isBlank()) {
        return new Refused("no file path is recorded");
      }
      var given = Path.of(stored);
      for (var part : given) {
        if (part.toString().equals("..")) {
          return new Refused("the path '" + stored + "' contains '..'");
        }
      }
      if (real == null) {
        return new Missing(root.resolve(given));
      }
      var path = given.isAbsolute() ? given.normalize() : root.resolve(given).normalize();
      if (path.startsWith(root) && !root.equals(real)) {
        path = real.resolve(root.relativize(path));
      }
      if (!path.startsWith(real) || path.equals(real)) {
        return new Refused("the path '" + stored + "' is outside DOWNLOAD_DIR " + root);
      }
      var parent = path.getParent();
      Boolean inside = folderInside.get(parent);
      if (inside == null) {
        try {
          inside = parent.toRealPath().startsWith(real);
        } catch (NoSuchFileException e) {
          return new Missing(path);
        }
        folderInside.put(parent, inside);
      }
      if (!inside) {
        return new Refused("the folder of '" + stored + "' leads outside DOWNLOAD_DIR through a link");
      }
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return new Missing(path);
      }
      if (attrs.isSymbolicLink()) {
        return new Refused("'" + stored + "' is a symbolic link; links are never followed or removed");
      }
      if (!attrs.isRegularFile()) {
        return new Refused("'" + stored + "' is not a regular file");
      }
      return new Deleted(path, attrs.size());
    }

    Outcome delete(String stored) throws IOException {
      var located = locate(stored);
      if (!(located instanceof Deleted found)) {
        return located;
      }
      try {
        Files.delete(found.path());
        touched.add(found.path().getParent());
        return found;
      } catch (NoSuchFileException e) {
        return new Missing(found.path());
      }
    }

    /** Removes the folders this scope deleted files from, and their parents, while empty. */
    int removeEmptyFolders() throws IOException {
      var removed = 0;
      for (var folder : touched) {
        removed += Library.this.removeEmptyFolders(folder.resolve("x"));
      }
      touched.clear();
      return removed;
    }
  }

  /** Removes the folder of a deleted file and its parents while they are empty, stopping at the library root. */
  int removeEmptyFolders(Path file) throws IOException {
    var real = realRoot();
    var removed = 0;
    for (var dir = file.getParent(); dir != null && real != null && dir.startsWith(real) && !dir.equals(real);
        dir = dir.getParent()) {
      if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        break;
      }
      try (var entries = Files.newDirectoryStream(dir)) {
        if (entries.iterator().hasNext()) {
          break;
        }
      }
      try {
        Files.delete(dir);
        removed++;
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        break;
      }
    }
    return removed;
  }
}
