package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
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
 * {@code fit}; the rows come through a {@link ParsedRowCursor}, generic rows or Spark's internal ones, so that
 * the one assembly serves both.
 */
final class TrajectoryAssembler implements Iterator<AssembledTrajectory> {
  /** Receives the quarantine rows the assembler produces, in order. */
  interface Rejects {
    void reject(Object id, Object timeValue, RejectReason reason, String message, String raw);
  }

  private final ParsedRowCursor in;
  private final Columns columns;
  private final int obsDim;
  private final int inputDim;
  private final Rejects rejects;
  private final TrajectoryBuffer buffer;
  private final ArrayDeque<AssembledTrajectory> ready = new ArrayDeque<>(1);
  private final Function<String, TimeKey> origins;
  private final ForecastTimes forecast;
  /** True when the cursor's current row, held, is the first row of the next call (the end of the last trajectory). */
  private boolean pending;

  TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects) {
    this(in, columns, obsDim, inputDim, rejects, key -> null);
  }

  /**
   * An assembler whose trajectory of key k has its times relative to {@code origins(k)} instead of its own
   * first kept row (null: its own), so that a segment of a long trajectory gets the whole trajectory's times.
   */
  TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects,
      Function<String, TimeKey> origins) {
    this(new RowCursor(in), columns, obsDim, inputDim, rejects, origins, ForecastTimes.NONE);
  }

  /** An assembler that appends {@code forecast}'s steps to every trajectory (of the whole trajectory's rows). */
  TrajectoryAssembler(Iterator<Row> in, Columns columns, int obsDim, int inputDim, Rejects rejects,
      ForecastTimes forecast) {
    this(new RowCursor(in), columns, obsDim, inputDim, rejects, forecast);
  }

  /**
   * As above, over rows in any form ({@link ParsedRowCursor}): the engine stage of {@code smooth} reads Spark's
   * internal rows ({@link InternalRowCursor}).
   */
  TrajectoryAssembler(ParsedRowCursor in, Columns columns, int obsDim, int inputDim, Rejects rejects,
      ForecastTimes forecast) {
    this(in, columns, obsDim, inputDim, rejects, key -> null, forecast);
  }

  private TrajectoryAssembler(ParsedRowCursor in, Columns columns, int obsDim, int inputDim, Rejects rejects,
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
    return !ready.isEmpty() || pending || in.hasNext();
  }

  /** The next trajectory, or null if the rows consumed this time were all quarantined. */
  @Override
  public AssembledTrajectory next() {
    if (!ready.isEmpty()) return ready.poll();
    if (!pending) {
      if (!in.hasNext()) throw new NoSuchElementException();
      in.next();
    }
    pending = false;
    if (!in.valid()) {
      rejects.reject(in.id(), in.timeValue(), in.reason(), in.message(), in.raw());
      return null;
    }
    Object key = in.key();
    String keyText = key.toString();
    buffer.reset(keyText, in.id());
    addRow();
    while (in.hasNext()) {
      in.next();
      if (!in.valid() || !in.hasKey(key)) {
        in.hold();
        pending = true;
        break;
      }
      addRow();
    }
    int kept = dropDuplicateTimes();
    if (kept == 0) {
      buffer.release();
      return null;
    }
    int steps = appendForecast(kept);
    Trajectory trajectory = new Trajectory(keyText, buffer.relativeTimes(steps, origins.apply(keyText)),
        Arrays.copyOf(buffer.obs, steps * obsDim), obsDim,
        inputDim == 0 ? null : Arrays.copyOf(buffer.inputs, steps * inputDim), inputDim);
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

  /** Appends the current row to the buffer: its exact time, time value, observations and inputs. */
  private void addRow() {
    int slot = buffer.append(in.seconds(), in.fraction(), in.timeValue());
    in.observations(buffer.obs, slot * obsDim, obsDim);
    in.inputs(buffer.inputs, slot * inputDim, inputDim);
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
