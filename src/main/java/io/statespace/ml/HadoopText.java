package io.statespace.ml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Small text files on any Hadoop file system (model files, a fit's model.json and history.csv). */
final class HadoopText {
  private HadoopText() {}

  /** The file's text (UTF-8), with the active session's Hadoop configuration when there is one. */
  static String read(String path) {
    Configuration conf = SparkSession.getActiveSession().isDefined()
        ? SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration() : new Configuration();
    Path p = new Path(path);
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a directory this library created, with everything under it. */
  static void deleteOwn(String dir, Configuration conf) {
    Path p = new Path(dir);
    try {
      FileSystem fs = p.getFileSystem(conf);
      fs.delete(p, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete the work directory " + dir + ": " + e.getMessage(), e);
    }
  }
}
