package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * Turns one partition's parsed rows, sorted by (trajectory key, time), into trajectories, one at a time:
 * the rows of a key become one {@link Trajectory}, its times in seconds since its first kept row (exact
 * differences of {@link TimeKey}s, so that the engine's dt is exact wherever a double can hold it, even for
 * epoch nanoseconds); rows that share a time exactly within a trajectory, and rows
 * rejected while parsing, become quarantine rows (through the given sink). With a forecast
 * ({@link ForecastTimes}), each trajectory gets its forecast steps appended after its last kept row: fully
 * missing steps (and no inputs, which a forecast's model has none of), so that every engine predicts them as it
 * handles any missing step. Memory is one trajectory, never the partition. Used by both {@code smooth} and
 * {@code fit}.
 */
final class TrajectoryAssembler implements Iterator<AssembledTrajectory> {
  /** Receives the quarantine rows the assembler produces, in order. */
  interface Rejects {
    void reject(Object id, Object timeValue, RejectReason reason, String message, String raw);
  }

  private final Iterator<Row> in;
  private final Columns columns;
  private final int obsDim;
  private final int inputDim;
  private final Rejects rejects;
  private final TrajectoryBuffer buffer;
  private final ArrayDeque<AssembledTrajectory> ready = new ArrayDeque<>(1);
  private final Function<String, TimeKey> origins;
  private final ForecastTimes forecast;
  private Row pending;

  TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects) {
    this(in, columns, obsDim, inputDim, rejects, key -> null);
  }

  /**
   * An assembler whose trajectory of key k has its times relative to {@code origins(k)} instead of its own
   * first kept row (null: its own), so that a segment of a long trajectory gets the whole trajectory's times.
   */
  TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects,
      Function<String, TimeKey> origins) {
    this(in, columns, obsDim, inputDim, rejects, origins, ForecastTimes.NONE);
  }

  /** An assembler that appends {@code forecast}'s steps to every trajectory (of the whole trajectory's rows). */
  TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects,
      ForecastTimes forecast) {
    this(in, columns, obsDim, inputDim, rejects, key -> null, forecast);
  }

  private TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects,
      Function<String, TimeKey> origins, ForecastTimes forecast) {
    this.origins = origins;
    this.forecast = forecast;
    this.in = in;
    this.columns = columns;
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    this.rejects = rejects;
    this.buffer = new TrajectoryBuffer(obsDim, inputDim);
  }

  /** True while input remains; {@link #next} may then still return null when the rows read were all rejected. */
  @Override
  public boolean hasNext() {
    return !ready.isEmpty() || pending != null || in.hasNext();
  }

  /** The next trajectory, or null if the rows consumed this time were all quarantined. */
  @Override
  public AssembledTrajectory next() {
    if (!ready.isEmpty()) return ready.poll();
    if (pending == null && !in.hasNext()) throw new NoSuchElementException();
    Row row = pending != null ? pending : in.next();
    pending = null;
    if (!row.getBoolean(ParsedRows.VALID_INDEX)) {
      rejects.reject(row.get(ParsedRows.ID_INDEX), row.get(ParsedRows.TIME_VALUE_INDEX),
          RejectReason.fromCode(row.getString(ParsedRows.CODE_INDEX)), row.getString(ParsedRows.REASON_INDEX),
          row.getString(ParsedRows.RAW_INDEX));
      return null;
    }
    String key = row.getString(ParsedRows.KEY_INDEX);
    buffer.reset(key, row.get(ParsedRows.ID_INDEX));
    addRow(row);
    while (in.hasNext()) {
      Row next = in.next();
      if (!next.getBoolean(ParsedRows.VALID_INDEX) || !key.equals(next.getString(ParsedRows.KEY_INDEX))) {
        pending = next;
        break;
      }
      addRow(next);
    }
    int kept = dropDuplicateTimes();
    if (kept == 0) {
      buffer.release();
      return null;
    }
    int steps = appendForecast(kept);
    Trajectory trajectory = new Trajectory(key, buffer.relativeTimes(steps, origins.apply(key)), Arrays.copyOf(buffer.obs, steps * obsDim),
        obsDim, inputDim == 0 ? null : Arrays.copyOf(buffer.inputs, steps * inputDim), inputDim);
    return new AssembledTrajectory(trajectory, buffer.id, buffer.handOverTimeValues(), steps - kept);
  }

  /**
   * Appends the forecast steps after the {@code kept} rows: times from {@link ForecastTimes}, every observation
   * missing, inputs zero (a forecast's model has none). Returns the steps in all.
   */
  private int appendForecast(int kept) {
    buffer.size = kept;
    if (!forecast.active()) return kept;
    Object last = buffer.timeValues[kept - 1];
    Object[] times = forecast.after(last, buffer.key);
    double[] missing = new double[obsDim];
    Arrays.fill(missing, Double.NaN);
    double[] noInputs = new double[inputDim];
    TimeKey previous = new TimeKey(buffer.seconds[kept - 1], buffer.fractions[kept - 1]);
    for (int k = 0; k < times.length; k++) {
      TimeKey key = forecast.key(times[k], previous, last, k + 1, buffer.key);
      buffer.add(key.seconds(), key.fraction(), times[k], missing, noInputs);
      previous = key;
    }
    return buffer.size;
  }

  private void addRow(Row row) {
    List<Double> obs = row.getList(ParsedRows.OBS_INDEX);
    List<Double> inputs = row.getList(ParsedRows.INPUTS_INDEX);
    double[] y = new double[obs.size()];
    for (int i = 0; i < y.length; i++) y[i] = obs.get(i);
    double[] u = new double[inputs.size()];
    for (int i = 0; i < u.length; i++) u[i] = inputs.get(i);
    Row time = row.getStruct(ParsedRows.TIME_INDEX);
    buffer.add(time.getLong(0), time.getDouble(1), row.get(ParsedRows.TIME_VALUE_INDEX), y, u);
  }

  /** Quarantines every row whose time another row of the trajectory shares; compacts the rest. */
  private int dropDuplicateTimes() {
    int kept = 0;
    int i = 0;
    while (i < buffer.size) {
      int j = i + 1;
      while (j < buffer.size && buffer.sameTime(i, j)) j++;
      if (j - i > 1) {
        for (int r = i; r < j; r++) {
          rejects.reject(buffer.id, buffer.timeValues[r], RejectReason.DUPLICATE_TIME, "duplicate time "
              + CellText.of(buffer.timeValues[r]) + " in trajectory '" + buffer.key + "' (" + (j - i) + " rows share it; none is kept)",
              AssembledTrajectory.render(columns, buffer.id, buffer.timeValues[r], buffer.obs, obsDim, buffer.inputs,
                  inputDim, r));
        }
      } else {
        if (kept != i) buffer.move(i, kept);
        kept++;
      }
      i = j;
    }
    return kept;
  }
}
