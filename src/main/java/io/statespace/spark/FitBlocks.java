package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.execution.Blocker;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The fit job's assembly stage: a partition's sorted parsed rows become blocks of trajectories, cut by the
 * smooth job's rule ({@link Blocker}), plus one item per quarantined row. Streaming: a partition is never
 * held whole outside its blocks. With a {@link StartingPointScreen}, a trajectory that cannot be fitted from
 * the starting parameters goes to quarantine instead of a block.
 */
final class FitBlocks implements FlatMapFunction<Iterator<Row>, FitItem> {
  private static final long serialVersionUID = 1L;

  private final Columns columns;
  private final int obsDim;
  private final int inputDim;
  private final StartingPointScreen screen;

  FitBlocks(Columns columns, int obsDim, int inputDim) {
    this(columns, obsDim, inputDim, null);
  }

  /** @param screen quarantines trajectories that cannot be fitted from the start, or null to keep all */
  FitBlocks(Columns columns, int obsDim, int inputDim, StartingPointScreen screen) {
    this.columns = columns;
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    this.screen = screen;
  }

  @Override
  public Iterator<FitItem> call(Iterator<Row> rows) {
    ArrayDeque<FitItem> out = new ArrayDeque<>();
    TrajectoryAssembler.Rejects rejects = (id, time, reason, message, raw) -> out.add(FitItem.rejected(id, time, reason, message, raw));
    TrajectoryAssembler assembler = new TrajectoryAssembler(rows, columns, obsDim, inputDim, rejects);
    StartingPointScreen.Checker checker = screen == null ? null : screen.open();
    Blocker<Trajectory> blocker = new Blocker<>();
    return new Iterator<>() {
      private boolean flushed;

      @Override
      public boolean hasNext() {
        while (out.isEmpty() && !flushed) {
          if (assembler.hasNext()) {
            AssembledTrajectory t = assembler.next();
            if (t != null && (checker == null || checker.admit(t, rejects))) {
              for (List<Trajectory> block : blocker.add(t.trajectory, t.length())) emit(block);
            }
          } else {
            List<Trajectory> last = blocker.flush();
            if (last != null) emit(last);
            flushed = true;
          }
        }
        return !out.isEmpty();
      }

      @Override
      public FitItem next() {
        if (!hasNext()) throw new NoSuchElementException();
        return out.poll();
      }

      private void emit(List<Trajectory> block) {
        out.add(FitItem.of(new TrajectoryBlock(block.toArray(new Trajectory[0]))));
      }
    };
  }
}
