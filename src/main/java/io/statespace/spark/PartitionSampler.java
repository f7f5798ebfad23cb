package io.statespace.spark;

import io.statespace.inference.InferenceException;
import io.statespace.inference.sampling.DrawStream;
import io.statespace.inference.sampling.SamplingKernel;
import io.statespace.inference.sampling.TrajectorySampler;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;

/**
 * The engine pass of {@code sample}: consumes one partition's parsed rows sorted by (trajectory key, time),
 * assembles one trajectory at a time ({@link TrajectoryAssembler}, which quarantines shared times), builds its
 * backward-sampling kernel ({@link TrajectorySampler}) and emits, lazily, its K draws (draw-major: draw 0's T
 * rows, then draw 1's, ...) and its summary row. Draw d of trajectory k is seeded by (seed, k's key, d) only
 * ({@link DrawStream}), so the rows never depend on partitioning. Every draw is computed once before any row is
 * emitted to check that it is finite, so that both passes over the engine (with and without sample rows) make
 * the same quarantine decision; a trajectory whose filter, kernel or draws fail goes to quarantine with all its
 * rows (inference_failed). Long trajectories are sampled in one task (there is no segmented path). Memory is
 * one trajectory's filtered moments, its kernel and one draw.
 */
final class PartitionSampler implements FlatMapFunction<Iterator<Row>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final StateSpaceModel model;
  private final Columns columns;
  private final int draws;
  private final long seed;
  private final DataType idType;
  private final DataType timeType;
  private final boolean samples;

  /** @param samples false to emit only summary and quarantine rows (the accounting pass) */
  PartitionSampler(StateSpaceModel model, Columns columns, int draws, long seed, DataType idType, DataType timeType,
      boolean samples) {
    this.model = model;
    this.columns = columns;
    this.draws = draws;
    this.seed = seed;
    this.idType = idType;
    this.timeType = timeType;
    this.samples = samples;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<Row> rows) {
    return new Emitter(rows);
  }

  /** Pulls trajectories from the assembler and emits their rows. */
  private final class Emitter implements Iterator<InternalRow> {
    private final ArrayDeque<InternalRow> pending = new ArrayDeque<>();
    private final SampleRows out = new SampleRows(model.obsDim(), model.inputDim(), idType, timeType);
    private final TrajectoryAssembler assembler;
    private final TrajectorySampler sampler = new TrajectorySampler();
    private Draws current;

    Emitter(Iterator<Row> in) {
      this.assembler = new TrajectoryAssembler(in, columns, model.obsDim(), model.inputDim(),
          (id, time, reason, message, raw) -> pending.add(out.quarantine(id, time, reason, message, raw)));
    }

    @Override
    public boolean hasNext() {
      while (true) {
        if (!pending.isEmpty() || (current != null && current.hasNext())) return true;
        current = null;
        if (!assembler.hasNext()) return false;
        AssembledTrajectory next = assembler.next();
        if (next != null) start(next);
      }
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      return pending.isEmpty() ? current.next() : pending.poll();
    }

    /** Queues the trajectory's rows: its draws and summary, or one quarantine row per step. */
    private void start(AssembledTrajectory a) {
      String key = a.trajectory.id();
      try {
        SamplingKernel kernel = sampler.kernel(model, a.trajectory);
        long trajectorySeed = DrawStream.trajectorySeed(seed, key);
        double[] x = new double[a.length() * kernel.stateDim()];
        for (int d = 0; d < draws; d++) {
          kernel.draw(new DrawStream(trajectorySeed, d), x);
          for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
              throw new InferenceException(key, i / kernel.stateDim(), "draw " + d + " is not finite");
            }
          }
        }
        if (samples) current = new Draws(a, kernel, trajectorySeed, x);
        pending.add(out.summary(a.id, a.length()));
      } catch (InferenceException e) {
        for (int t = 0; t < a.length(); t++) {
          pending.add(out.quarantine(a.id, a.timeValues[t], RejectReason.INFERENCE_FAILED, "inference failed: " + e.getMessage(),
              a.render(columns, t)));
        }
      }
    }

    /** The sample rows of one trajectory, one draw at a time. */
    private final class Draws implements Iterator<InternalRow> {
      private final AssembledTrajectory a;
      private final SamplingKernel kernel;
      private final long trajectorySeed;
      private final double[] x;
      private int draw = -1;
      private int step;

      Draws(AssembledTrajectory a, SamplingKernel kernel, long trajectorySeed, double[] x) {
        this.a = a;
        this.kernel = kernel;
        this.trajectorySeed = trajectorySeed;
        this.x = x;
        this.step = a.length();
      }

      @Override
      public boolean hasNext() {
        return step < a.length() || draw < draws - 1;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) throw new NoSuchElementException();
        if (step == a.length()) {
          draw++;
          step = 0;
          kernel.draw(new DrawStream(trajectorySeed, draw), x);
        }
        int t = step++;
        return out.sample(a.id, a.timeValues[t], a.trajectory.observations(), a.trajectory.inputs(), t, draw, x,
            kernel.stateDim());
      }
    }
  }
}
