package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.model.spec.Columns;

/**
 * One trajectory ready for an engine, with what its output rows need besides the posterior: the id and the
 * original time values as read (so the output keeps the input's types), and how many of its last steps are
 * forecast steps appended after the input's rows ({@link ForecastTimes}).
 */
final class AssembledTrajectory {
  final Trajectory trajectory;
  final Object id;
  final Object[] timeValues;
  /** Forecast steps at the end of the trajectory (0 without a forecast). */
  final int forecastSteps;

  /** @param timeValues at least {@code trajectory.length()} entries, step order */
  AssembledTrajectory(Trajectory trajectory, Object id, Object[] timeValues) {
    this(trajectory, id, timeValues, 0);
  }

  /** @param forecastSteps how many of the trajectory's last steps are forecast steps */
  AssembledTrajectory(Trajectory trajectory, Object id, Object[] timeValues, int forecastSteps) {
    this.trajectory = trajectory;
    this.id = id;
    this.timeValues = timeValues;
    this.forecastSteps = forecastSteps;
  }

  /** Steps in all, forecast steps included: what the engine runs. */
  int length() {
    return trajectory.length();
  }

  /** Steps from input rows: the trajectory without its forecast steps. */
  int inputSteps() {
    return trajectory.length() - forecastSteps;
  }

  /** Input steps with at least one missing component (forecast steps, all missing, not counted). */
  int missingSteps() {
    return trajectory.missingSteps() - forecastSteps;
  }

  /** Missing components of the input steps. */
  int missingValues() {
    return trajectory.missingValues() - forecastSteps * trajectory.obsDim();
  }

  /** True for a forecast step. */
  boolean isForecast(int t) {
    return t >= inputSteps();
  }

  /** Step t as text for a quarantine row: "id=a, t=0.1, x=1.0, y=null". */
  String render(Columns columns, int t) {
    return render(columns, id, timeValues[t], trajectory.observations(), trajectory.obsDim(), trajectory.inputs(),
        trajectory.inputDim(), t);
  }

  /** Row t of flat observation and input arrays as text, for a quarantine row. */
  static String render(Columns columns, Object id, Object timeValue, double[] obs, int m, double[] inputs, int p,
      int t) {
    StringBuilder s = new StringBuilder();
    s.append(columns.id()).append('=').append(CellText.of(id)).append(", ").append(columns.time()).append('=')
        .append(CellText.of(timeValue));
    for (int i = 0; i < m; i++) {
      double y = obs[t * m + i];
      s.append(", ").append(columns.observations().get(i)).append('=').append(Double.isNaN(y) ? "null" : Double.toString(y));
    }
    for (int i = 0; i < p; i++) s.append(", ").append(columns.inputs().get(i)).append('=').append(inputs[t * p + i]);
    return s.toString();
  }
}
