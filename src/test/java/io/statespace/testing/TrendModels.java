package io.statespace.testing;

import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;

/** Model files of the {@code local-linear-trend} family for tests (the family's model class is its own). */
public final class TrendModels {
  private TrendModels() {}

  /**
   * A local-linear-trend model file with one observation column {@code y}.
   *
   * @param dt the fixed step, or NaN to take dt from the time column
   */
  public static String file(double dt, double levelStd, double slopeStd, double measurementStd) {
    return "{\"family\": \"local-linear-trend\", "
        + (Double.isNaN(dt) ? "" : "\"dt\": " + dt + ", ")
        + "\"level_std\": " + levelStd + ", \"slope_std\": " + slopeStd + ", \"measurement_std\": " + measurementStd + ", "
        + "\"initial\": {\"mean\": [0.5, -0.2], \"cov\": [[2.0, 0.3], [0.3, 1.0]]}, "
        + "\"columns\": {\"id\": \"id\", \"time\": \"time\", \"observations\": [\"y\"]}}";
  }

  /** The model of {@link #file}. */
  public static StateSpaceModel model(double dt, double levelStd, double slopeStd, double measurementStd) {
    return ModelSpec.parse(file(dt, levelStd, slopeStd, measurementStd)).model();
  }
}
