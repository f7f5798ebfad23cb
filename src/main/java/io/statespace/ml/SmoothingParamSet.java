package io.statespace.ml;

import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The {@link SmoothingParams} of one stage: Spark ML Params belong to the instance that declares them (they
 * carry its uid), so each stage creates one set in its constructor and sets the defaults here.
 */
public final class SmoothingParamSet {
  final Param<String> modelSpec;
  final Param<String> idCol;
  final Param<String> timeCol;
  final StringArrayParam observationCols;
  final StringArrayParam inputCols;
  final Param<String> engine;
  final Param<String> backend;
  final IntParam threads;
  final IntParam partitions;
  final Param<String> covariances;
  final BooleanParam filtered;
  final StringArrayParam outputs;
  final Param<String> handleInvalid;
  final IntParam forecastSteps;
  final DoubleParam forecastDt;

  /** True when every value is one of {@code smooth --outputs}'s. */
  private static boolean known(String[] values) {
    for (String v : values) {
      if (!List.of("predicted", "smoothed_obs", "diagnostics").contains(v)) return false;
    }
    return true;
  }

  /** The Params of {@code parent}, with their defaults set on it. */
  SmoothingParamSet(Params parent) {
    modelSpec = new Param<>(parent, "modelSpec", "the model file (JSON text)");
    idCol = new Param<>(parent, "idCol", "trajectory id column (default: the model file's columns.id)");
    timeCol = new Param<>(parent, "timeCol", "time column (default: the model file's columns.time)");
    observationCols = new StringArrayParam(parent, "observationCols", "observation columns (default: the model file's)");
    inputCols = new StringArrayParam(parent, "inputCols", "input (control) columns (default: the model file's)");
    engine = new Param<>(parent, "engine", "sequential, parallel, batched or auto",
        ParamValidators.inArray(List.of("sequential", "parallel", "batched", "auto")));
    backend = new Param<>(parent, "backend", "auto, cpu or gpu", ParamValidators.inArray(List.of("auto", "cpu", "gpu")));
    threads = new IntParam(parent, "threads", "threads per task for the parallel engine (0: spark.task.cpus)",
        ParamValidators.gtEq(0));
    partitions = new IntParam(parent, "partitions", "trajectory partitions (0: Spark's default parallelism)",
        ParamValidators.gtEq(0));
    covariances = new Param<>(parent, "covariances", "uncertainty returned with each mean, as smooth --covariances: "
        + "full (*_cov, n*n row-major), std (*_std, square roots of the diagonal) or none",
        ParamValidators.inArray(List.of("full", "std", "none")));
    filtered = new BooleanParam(parent, "filtered", "return the filtered moments (filtered_mean and its "
        + "uncertainty) besides the smoothed ones; false as smooth --no-filtered");
    outputs = new StringArrayParam(parent, "outputs", "opt-in outputs, as smooth --outputs: any of predicted "
        + "(predicted_mean, predicted_cov|std, predicted_obs_mean, predicted_obs_cov|std, innovation, "
        + "standardized_innovation), smoothed_obs (smoothed_obs_mean, smoothed_obs_std, smoothed_obs_predictive_std), "
        + "diagnostics (smooth(df).summary(): observed, mean_nis, ljung_box, ljung_box_pvalue, ljung_box_lag)",
        (scala.Function1<String[], Object>) SmoothingParamSet::known);
    handleInvalid = new Param<>(parent, "handleInvalid", "rows that cannot be smoothed: keep (null states, reason_code and "
        + "reason set), skip, or error", ParamValidators.inArray(List.of("keep", "skip", "error")));
    forecastSteps = new IntParam(parent, "forecastSteps", "forecast rows appended per trajectory after its last time, as "
        + "smooth --forecast-steps (0: none)", ParamValidators.gtEq(0));
    forecastDt = new DoubleParam(parent, "forecastDt", "seconds between forecast rows, as smooth --forecast-dt (unset: the "
        + "model's fixed dt; required without one)", ParamValidators.gt(0));
    parent.setDefault(forecastSteps, 0);
    parent.setDefault(engine, "auto");
    parent.setDefault(backend, "auto");
    parent.setDefault(threads, 0);
    parent.setDefault(partitions, 0);
    parent.setDefault(covariances, "full");
    parent.setDefault(filtered, true);
    parent.setDefault(outputs, new String[0]);
    parent.setDefault(handleInvalid, "keep");
  }
}
