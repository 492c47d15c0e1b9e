package io.castbus.common.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files only this process's user may read — keys, passwords, backups: created 0600 (folders 0700) from the start,
 * never widened and narrowed afterwards, and written whole or not at all. Where the file system has no POSIX
 * permissions they are plain files.
 */
public final class PrivateFiles {

  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private PrivateFiles() {
  }

  /** Creates an empty file, mode 0600; it must not exist yet. */
  public static void create(Path file) throws IOException {
    if (POSIX) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }

  /** Replaces {@code file} with {@code content}, mode 0600, synced to disk and renamed into place. */
  public static void write(Path file, String content) throws IOException {
    var temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    create(temp);
    try (var channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Makes {@code dir} (and its parents) and gives it mode 0700. */
  public static void directory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (POSIX) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** Narrows an existing file to mode 0600. */
  public static void restrict(Path file) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
