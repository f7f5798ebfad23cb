package io.statespace.cli;

import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The model a {@code smooth} output was made with, for {@code plot}: the copy the output carries
 * ({@value Provenance#MODEL_FILE}), so that no --model is needed; a --model that is given must describe the same
 * model (its columns may differ: the copy holds the ones the run used), else it is refused in one line. An output
 * written before the copy existed needs --model.
 */
final class SmoothedModel {
  private SmoothedModel() {}

  /**
   * @param smoothed the output directory (any Hadoop path)
   * @param model --model, or null
   */
  static ModelSpec resolve(String smoothed, java.nio.file.Path model) {
    ModelSpec given = null;
    if (model != null) {
      if (!Files.isRegularFile(model)) throw new ConfigException("--model: no such file " + model);
      given = ModelSpec.read(model);
    }
    Path copy = new Path(smoothed, Provenance.MODEL_FILE);
    String text;
    try {
      FileSystem fs = copy.getFileSystem(new Configuration());
      if (!fs.isFile(copy)) {
        if (given == null) {
          throw new ConfigException("--smoothed: " + copy + " not found (an output of an older version); pass --model");
        }
        return given;
      }
      try (InputStream in = fs.open(copy)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new ConfigException("--smoothed: cannot read " + copy + ": " + e.getMessage());
    }
    ModelSpec used = ModelSpec.parse(text);
    if (given != null && !given.withColumns(used.columns()).toJson().equals(used.toJson())) {
      throw new ConfigException("--model " + model + " is not the model " + copy + " the output was smoothed with; "
          + "leave --model out to use that one");
    }
    return used;
  }
}
