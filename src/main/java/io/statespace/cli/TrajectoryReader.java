package io.statespace.cli;

import static org.apache.spark.sql.functions.col;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.plot.ObservationBands;
import io.statespace.plot.TrajectoryView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One trajectory of a smooth output, in time order, as the trajectory plot draws it, from whatever columns the
 * output has: the smoothed observation mean and its state-only and predictive standard deviations
 * ({@code --outputs smoothed_obs}) when present, else H m + d + D u and the state-only band from the smoothed
 * state moments; the filtered mean when written; the forecast fan (predicted observation mean and standard
 * deviations) on rows with {@code forecast} = true.
 */
final class TrajectoryReader {
  static final String PREDICTIVE = "± 2 sd, predictive (with R)";
  static final String STATE_ONLY = "± 2 sd, state only";
  static final String FROM_COV = "± 2 sd, state only (smoothed_cov)";

  private TrajectoryReader() {}

  /** The view, and what could not be drawn (lines for the user). */
  record Read(TrajectoryView view, List<String> notes) {}

  static Read read(Dataset<Row> all, StateRows cells, ModelSpec spec, String idColumn, String which, String states) {
    Columns c = spec.columns();
    StateSpaceModel m = spec.model();
    int n = m.stateDim();
    int p = m.obsDim();
    int inputDim = m.inputDim();
    List<Row> rows = all.filter(col(idColumn).cast("string").equalTo(which))
        .orderBy(col(c.time()).try_cast("double"), col(c.time())).collectAsList();
    if (rows.isEmpty()) throw new ConfigException("--id: no trajectory '" + which + "' in " + states);
    boolean obsSpace = cells.has("smoothed_obs_mean");
    boolean stateMean = cells.has("smoothed_mean");
    if (!obsSpace && !stateMean) {
      throw new ConfigException("--smoothed: " + states + " has neither smoothed_mean nor smoothed_obs_mean");
    }
    boolean stateCov = cells.has("smoothed_cov");
    boolean filtered = cells.has("filtered_mean");
    boolean forecastColumn = cells.hasColumn("forecast");
    boolean fan = forecastColumn && cells.has("predicted_obs_mean") && (cells.has("predicted_obs_cov") || cells.has("predicted_obs_std"));
    int steps = rows.size();
    double[] times = new double[steps];
    boolean[] forecast = new boolean[steps];
    double[] obs = new double[steps * p];
    double[] inputs = inputDim == 0 ? null : new double[steps * inputDim];
    double[] fm = filtered ? new double[steps * n] : null;
    double[] sm = stateMean ? new double[steps * n] : null;
    double[] sc = stateCov ? new double[steps * n * n] : null;
    double[] obsMean = obsSpace ? new double[steps * p] : null;
    double[] obsStd = cells.has("smoothed_obs_std") ? new double[steps * p] : null;
    double[] obsPredictive = cells.has("smoothed_obs_predictive_std") ? new double[steps * p] : null;
    double[] fanMean = fan ? new double[steps * p] : null;
    double[] fanStd = fan ? new double[steps * p] : null;
    for (int t = 0; t < steps; t++) {
      Row r = rows.get(t);
      times[t] = StateRows.time(r.get(r.fieldIndex(c.time())), t);
      forecast[t] = forecastColumn && StateRows.flag(r, "forecast");
      for (int i = 0; i < p; i++) obs[t * p + i] = StateRows.number(r, c.observations().get(i), Double.NaN);
      for (int i = 0; i < inputDim; i++) inputs[t * inputDim + i] = StateRows.number(r, c.inputs().get(i), 0.0);
      if (filtered) cells.array(r, "filtered_mean", n, fm, t * n);
      if (stateMean) cells.array(r, "smoothed_mean", n, sm, t * n);
      if (stateCov) cells.matrix(r, "smoothed_cov", n, sc, t * n * n);
      if (obsSpace) cells.array(r, "smoothed_obs_mean", p, obsMean, t * p);
      if (obsStd != null) cells.array(r, "smoothed_obs_std", p, obsStd, t * p);
      if (obsPredictive != null) cells.array(r, "smoothed_obs_predictive_std", p, obsPredictive, t * p);
      if (fan && forecast[t]) {
        cells.array(r, "predicted_obs_mean", p, fanMean, t * p);
        cells.standardDeviations(r, "predicted_obs", p, fanStd, t * p);
      } else if (fan) {
        Arrays.fill(fanMean, t * p, (t + 1) * p, Double.NaN);
        Arrays.fill(fanStd, t * p, (t + 1) * p, Double.NaN);
      }
    }
    Trajectory tr = new Trajectory(which, times, obs, p, inputs, inputDim);
    ObservationBands fromState = stateMean ? ObservationBands.of(m, tr, sm, sc) : null;
    List<TrajectoryView.Band> bands = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (obsPredictive != null) bands.add(new TrajectoryView.Band(PREDICTIVE, obsPredictive));
    if (obsStd != null) bands.add(new TrajectoryView.Band(STATE_ONLY, obsStd));
    if (bands.isEmpty() && fromState != null && fromState.std != null) bands.add(new TrajectoryView.Band(FROM_COV, fromState.std));
    if (bands.isEmpty()) notes.add("no band: the output has neither smoothed_obs_std nor smoothed_cov");
    if (forecastColumn && !fan) notes.add("no fan: forecast rows without predicted_obs_mean and predicted_obs_cov/_std");
    double[] smoothedMean = obsSpace ? obsMean : fromState.mean;
    double[] filteredMean = filtered ? ObservationBands.of(m, tr, fm, null).mean : null;
    TrajectoryView view = new TrajectoryView(which, times, forecast, c.observations(), obs, smoothedMean, filteredMean, bands,
        fanMean, fanStd);
    return new Read(view, notes);
  }
}
