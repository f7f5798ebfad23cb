package io.statespace.testing;

import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;

/** Model files of the {@code local-level} family for tests (the family's model class is its own). */
public final class LevelModels {
  private LevelModels() {}

  /** A local-level model file with one observation column {@code y}, prior N(0.5, 2). */
  public static String file(double levelStd, double measurementStd) {
    return "{\"family\": \"local-level\", \"level_std\": " + levelStd + ", \"measurement_std\": " + measurementStd
        + ", \"initial\": {\"mean\": [0.5], \"cov\": [[2.0]]}, "
        + "\"columns\": {\"id\": \"id\", \"time\": \"time\", \"observations\": [\"y\"]}}";
  }

  /** The model of {@link #file}. */
  public static StateSpaceModel model(double levelStd, double measurementStd) {
    return ModelSpec.parse(file(levelStd, measurementStd)).model();
  }
}
