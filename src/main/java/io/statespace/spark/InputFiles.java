package io.statespace.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The data files of an input: the file itself, or every file under the directory at any depth (so that
 * {@code part-*}, {@code year/month/} and {@code key=value/} layouts are all read whole), skipping hidden
 * entries whose name starts with {@code .} or {@code _} as Spark's own writers leave them ({@code _SUCCESS},
 * {@code .crc}, {@code _temporary/}). Directory names never become columns. Listed once on the driver, so
 * that every later read works on the same files, and their count goes into report.json.
 *
 * @param files the files, sorted, as fully qualified Hadoop path strings
 * @param rawLocal whether the files must be read through the raw local file system: the checksummed one
 *     builds a {@code .name.crc} path that Hadoop cannot parse when a path holds a colon
 */
public record InputFiles(String input, List<String> files, boolean rawLocal) implements Serializable {
  private static final String GLOB = "*?[]{}\\";

  public InputFiles {
    files = List.copyOf(files);
  }

  public static InputFiles list(Configuration conf, String input) {
    Path root = path(input);
    try {
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> found = new ArrayList<>();
      for (FileStatus top : roots(fs, root, input)) {
        if (top.isDirectory()) {
          walk(fs, top.getPath(), found);
        } else {
          found.add(top);
        }
      }
      found.sort(Comparator.comparing(s -> s.getPath().toString()));
      List<String> files = new ArrayList<>();
      boolean colon = false;
      for (FileStatus s : found) {
        files.add(s.getPath().toString());
        colon |= s.getPath().toUri().getPath().indexOf(':') >= 0;
      }
      if (files.isEmpty()) {
        throw new InputException("input " + input + ": no data files in the directory (names starting with '.' or '_' are skipped)");
      }
      return new InputFiles(input, files, colon && fs instanceof LocalFileSystem);
    } catch (IOException e) {
      throw new InputException("input " + input + ": cannot list (" + e.getMessage() + ")");
    }
  }

  /** How many data files the input holds. */
  public int count() {
    return files.size();
  }

  /** Hadoop options for Spark's readers: the raw local file system when a name holds a colon. */
  java.util.Map<String, String> readerOptions() {
    if (!rawLocal) return java.util.Map.of();
    return java.util.Map.of("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem", "fs.file.impl.disable.cache", "true");
  }

  /**
   * The input as a Hadoop path. A colon in a local path is part of a name, never a URI scheme (Hadoop would
   * read {@code in:put.csv} as scheme {@code in}).
   */
  static Path path(String input) {
    if (input.matches("^[A-Za-z][A-Za-z0-9+.-]*:/.*")) return new Path(input);
    String p = input.startsWith("/") ? input : "./" + input;
    return new Path(null, null, p);
  }

  /** The path itself when it exists, else what it matches as a glob pattern (as Spark expands it). */
  private static List<FileStatus> roots(FileSystem fs, Path root, String input) throws IOException {
    try {
      return List.of(fs.getFileStatus(root));
    } catch (java.io.FileNotFoundException e) {
      FileStatus[] matched = null;
      if (input.chars().anyMatch(c -> GLOB.indexOf(c) >= 0)) matched = fs.globStatus(root);
      if (matched == null || matched.length == 0) throw new InputException("input " + input + ": no such file or directory");
      return List.of(matched);
    }
  }

  private static void walk(FileSystem fs, Path dir, List<FileStatus> found) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) continue;
      if (s.isDirectory()) {
        walk(fs, s.getPath(), found);
      } else {
        found.add(s);
      }
    }
  }
}
