package io.statespace.spark;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * What the driver reads or probes through Hadoop's FileSystem API before Spark starts: the model file from
 * any Hadoop path ({@code file://}, {@code hdfs://}, {@code s3a://}, or a local path), whether the input
 * exists, and the format its first data file declares by content. The Hadoop configuration is the one
 * Spark would build ({@code spark.hadoop.*} properties, {@code HADOOP_CONF_DIR}), so checks made here see
 * the same file systems as the job.
 */
public final class DriverFiles {
  private final Configuration conf;

  public DriverFiles(Configuration conf) {
    this.conf = conf;
  }

  /** With the configuration spark-submit's properties give (no SparkContext is started). */
  public static DriverFiles fromSparkProperties() {
    return new DriverFiles(SparkHadoopUtil.get().newConfiguration(new SparkConf()));
  }

  /**
   * The text of a file at any Hadoop path (a path without a scheme is local).
   *
   * @throws InputException when it does not exist, is a directory or cannot be read (one line naming it)
   */
  public String readText(String option, String path) {
    Path p = InputFiles.path(path);
    try {
      FileSystem fs = raw(p.getFileSystem(conf));
      if (fs.getFileStatus(p).isDirectory()) throw new InputException(option + ": " + path + " is a directory, not a file");
      try (InputStream in = fs.open(p)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (FileNotFoundException e) {
      throw new InputException(option + ": no such file " + path);
    } catch (IOException e) {
      throw new InputException(option + ": cannot read " + path + " (" + firstLine(e.getMessage()) + ")");
    }
  }

  /** The path fully qualified on its file system (a local path as an absolute {@code file:} URI). */
  public String qualified(String path) {
    Path p = InputFiles.path(path);
    try {
      return p.getFileSystem(conf).makeQualified(p).toString();
    } catch (IOException e) {
      return path;
    }
  }

  /** Whether a file or directory exists at the path (false too when the file system cannot say). */
  public boolean exists(String path) {
    Path p = InputFiles.path(path);
    try {
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Refuses an input that does not exist (neither a file, a directory nor a glob with matches) and returns
   * the format its first data file's content declares: "parquet" or "orc" by their magic bytes, "json" for
   * a first byte {@code {}, "csv" for other text; empty when there is no data file or the file system
   * cannot say (then the job itself reports what it finds).
   *
   * @param option the option that named the path, for the message
   * @throws InputException when the input does not exist (one line naming it)
   */
  public Optional<String> probe(String option, String input) {
    Path root = InputFiles.path(input);
    FileSystem fs;
    FileStatus top;
    try {
      fs = raw(root.getFileSystem(conf));
      top = status(fs, root, option, input);
    } catch (IOException e) {
      return Optional.empty();
    }
    try {
      FileStatus file = firstFile(fs, top);
      if (file == null || file.getLen() == 0) return Optional.empty();
      try (InputStream in = new BufferedInputStream(fs.open(file.getPath()))) {
        String binary = FileMagic.of(in);
        if (binary != null) return Optional.of(binary);
        int first = in.read();
        return Optional.of(first == '{' ? "json" : "csv");
      }
    } catch (IOException | RuntimeException e) {
      // Whatever the file system cannot tell here, the job's own reading reports, naming the file.
      return Optional.empty();
    }
  }

  /**
   * The raw local file system for local paths: the checksummed one opens a {@code .name.crc} path, which
   * Hadoop cannot parse when a name holds a colon (as {@link InputFiles} reads such files).
   */
  private static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  private static FileStatus status(FileSystem fs, Path root, String option, String input) throws IOException {
    try {
      return fs.getFileStatus(root);
    } catch (FileNotFoundException e) {
      FileStatus[] matched = input.chars().anyMatch(c -> "*?[]{}\\".indexOf(c) >= 0) ? fs.globStatus(root) : null;
      if (matched == null || matched.length == 0) throw new InputException(option + ": no such file or directory " + input);
      Arrays.sort(matched, Comparator.comparing(s -> s.getPath().toString()));
      return matched[0];
    }
  }

  /** The first data file in name order (hidden names skipped, as {@link InputFiles} skips them), or null. */
  private static FileStatus firstFile(FileSystem fs, FileStatus s) throws IOException {
    if (!s.isDirectory()) return s;
    FileStatus[] children = fs.listStatus(s.getPath());
    Arrays.sort(children, Comparator.comparing(c -> c.getPath().getName()));
    for (FileStatus c : children) {
      String name = c.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) continue;
      FileStatus found = firstFile(fs, c);
      if (found != null) return found;
    }
    return null;
  }

  private static String firstLine(String message) {
    if (message == null) return "unreadable";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
