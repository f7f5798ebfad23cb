package io.statespace.cli;

import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.DriverFiles;
import io.statespace.spark.Provenance;

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
   * @param model --model (any Hadoop path), or null
   */
  static ModelSpec resolve(DriverFiles files, String smoothed, String model) {
    ModelSpec given = model == null ? null : ModelSpec.parse(files.readText("--model", model));
    String copy = smoothed + "/" + Provenance.MODEL_FILE;
    if (!files.exists(copy)) {
      if (given == null) {
        throw new ConfigException("--smoothed: " + copy + " not found (an output of an older version); pass --model");
      }
      return given;
    }
    ModelSpec used = ModelSpec.parse(files.readText("--smoothed", copy));
    if (given != null && !given.withColumns(used.columns()).toJson().equals(used.toJson())) {
      throw new ConfigException("--model " + model + " is not the model " + copy + " the output was smoothed with; "
          + "leave --model out to use that one");
    }
    return used;
  }
}
