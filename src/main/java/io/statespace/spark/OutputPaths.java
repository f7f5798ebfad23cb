package io.statespace.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Keeps what a job writes or deletes apart from what it reads: a path that equals, contains or lies
 * inside an input is refused. Paths are compared fully qualified (scheme, authority, absolute path) and
 * normalised ({@code .}, {@code ..}, repeated slashes); on the local file system also with symbolic
 * links resolved. An input glob is compared through the paths it matches.
 */
final class OutputPaths {
  private OutputPaths() {}

  /**
   * Fails with one line naming both paths when {@code path} overlaps an input.
   *
   * @param what how the path is named in the message ("output", "checkpoint directory")
   */
  static void checkDisjoint(String what, String path, Configuration conf, String... inputs) {
    List<Path> in = qualified(conf, inputs);
    Path out = qualify(conf, path);
    for (Path input : in) {
      String relation = relation(out, input);
      if (relation != null) {
        throw new AtomicOutput.OutputException(what + " " + out + " " + relation + " the input " + input
            + "; refused before anything is written or deleted (choose a path outside the input)");
      }
    }
  }

  /** The inputs, qualified, with globs expanded to what they match (the pattern itself where it matches nothing). */
  static List<Path> qualified(Configuration conf, String... inputs) {
    List<Path> out = new ArrayList<>();
    for (String input : inputs) {
      if (input == null) continue;
      Path p = qualify(conf, input);
      if (isGlob(input)) {
        try {
          FileStatus[] matches = p.getFileSystem(conf).globStatus(p);
          if (matches != null && matches.length > 0) {
            for (FileStatus m : matches) out.add(m.getPath());
            continue;
          }
        } catch (IOException e) {
          // An unreadable pattern is compared as it is written.
        }
      }
      out.add(p);
    }
    return out;
  }

  /**
   * How {@code a} relates to {@code input}, as words for the message ("is", "contains", "lies inside"),
   * or null when they are disjoint.
   */
  static String relation(Path a, Path input) {
    List<String[]> as = forms(a);
    List<String[]> bs = forms(input);
    for (String[] x : as) {
      for (String[] y : bs) {
        if (!x[0].equals(y[0])) continue;
        if (x[1].equals(y[1])) return "is";
        if (inside(y[1], x[1])) return "contains";
        if (inside(x[1], y[1])) return "lies inside";
      }
    }
    return null;
  }

  /** True when {@code child} lies strictly below {@code parent}. */
  private static boolean inside(String child, String parent) {
    String prefix = parent.endsWith("/") ? parent : parent + "/";
    return child.startsWith(prefix);
  }

  /** {file system, absolute path} as written (normalised) and, on the local file system, with links resolved. */
  private static List<String[]> forms(Path p) {
    URI uri = p.toUri();
    String fsKey = Objects.toString(uri.getScheme(), "") + "://" + Objects.toString(uri.getAuthority(), "");
    List<String[]> out = new ArrayList<>();
    out.add(new String[] {fsKey, uri.getPath()});
    if ("file".equals(uri.getScheme())) {
      String real = realLocalPath(uri.getPath());
      if (real != null && !real.equals(uri.getPath())) out.add(new String[] {fsKey, real});
    }
    return out;
  }

  /** The path with symbolic links resolved in its longest existing prefix (the rest appended), or null. */
  private static String realLocalPath(String path) {
    try {
      java.nio.file.Path p = Paths.get(path).toAbsolutePath().normalize();
      java.nio.file.Path existing = p;
      while (existing != null && !Files.exists(existing)) existing = existing.getParent();
      if (existing == null) return null;
      java.nio.file.Path real = existing.toRealPath();
      return real.resolve(existing.relativize(p)).normalize().toString();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static Path qualify(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(conf).makeQualified(p);
    } catch (IOException | IllegalArgumentException e) {
      throw new AtomicOutput.OutputException("path " + path + ": " + e.getMessage());
    }
  }

  private static boolean isGlob(String path) {
    for (char c : new char[] {'*', '?', '[', '{'}) {
      if (path.indexOf(c) >= 0) return true;
    }
    return false;
  }
}
