package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import io.statespace.inference.parallel.Moments;
import io.statespace.inference.parallel.SegmentChain;
import io.statespace.inference.parallel.SegmentPasses;
import io.statespace.inference.parallel.SegmentWindow;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The three task passes of the segmented smoother over the range-partitioned rows of the long trajectories
 * (docs/ARCHITECTURE.md §7.5): each partition's rows of a segmented trajectory are one segment, assembled as
 * one task assembles a trajectory ({@link TrajectoryAssembler}, times relative to the whole trajectory's
 * first row) and framed by its halo rows ({@link SegmentSpan}); the numbers are {@link SegmentPasses}'.
 * Because the passes are tasks, Spark recomputes a lost segment's result like any other task's.
 */
final class SegmentTasks {
  private SegmentTasks() {}

  /** A pass's result for one segment: its element, or why it has none. */
  interface Result extends Serializable {
    String segment();

    double[] element();

    String failure();
  }

  /** Pass 1's result: a segment's filtering element, or why it has none. */
  record Element(String segment, String key, double[] element, String failure) implements Result {}

  /** Pass 2's result: a segment's filtered end, log-likelihood and smoothing element, or why it has none. */
  record Forward(String segment, String key, Moments end, double logLikelihood, double[] element, String failure)
      implements Result, SegmentChain.Outcome {}

  /** What every pass shares: the model, the columns and the spans of the segments still in play. */
  abstract static class Pass<R> implements Function2<Integer, Iterator<Row>, Iterator<R>> {
    private static final long serialVersionUID = 1L;
    final StateSpaceModel model;
    final Columns columns;
    final Broadcast<Map<String, SegmentSpan>> spans;

    Pass(StateSpaceModel model, Columns columns, Broadcast<Map<String, SegmentSpan>> spans) {
      this.model = model;
      this.columns = columns;
      this.spans = spans;
    }

    /**
     * The partition's segments still in play, one at a time; rows of other trajectories are skipped. A piece
     * of a trajectory in play whose rows all share times with others has no segment but still passes through
     * the assembler, which quarantines its rows.
     */
    Iterator<AssembledTrajectory> segments(int partition, Iterator<Row> rows, TrajectoryAssembler.Rejects rejects) {
      Map<String, SegmentSpan> all = spans.value();
      Set<String> keys = new HashSet<>();
      for (SegmentSpan s : all.values()) keys.add(s.key());
      Iterator<Row> inPlay = Iterators.keeping(rows, r -> keys.contains(r.getString(ParsedRows.KEY_INDEX)));
      TrajectoryAssembler assembler = new TrajectoryAssembler(inPlay, columns, model.obsDim(), model.inputDim(), rejects,
          key -> {
            SegmentSpan span = all.get(SegmentSpan.id(partition, key));
            return span == null ? null : span.origin();
          });
      return Iterators.keeping(assembler, Objects::nonNull);
    }

    SegmentSpan span(int partition, AssembledTrajectory a) {
      SegmentSpan span = spans.value().get(SegmentSpan.id(partition, a.trajectory.id()));
      if (span.length() != a.length()) {
        throw new IllegalStateException("segment " + span.id() + ": " + a.length() + " kept rows, the count pass found "
            + span.length());
      }
      return span;
    }

    /** The segment's rows framed by its halo rows, times relative to the trajectory's origin. */
    SegmentWindow window(SegmentSpan span, Trajectory seg) {
      int m = seg.obsDim();
      int p = seg.inputDim();
      int lead = span.lead() != null ? 1 : 0;
      int trail = span.trail() != null ? 1 : 0;
      int len = seg.length();
      int total = lead + len + trail;
      double[] times = new double[total];
      double[] obs = new double[total * m];
      double[] inputs = p == 0 ? null : new double[total * p];
      Arrays.fill(obs, Double.NaN);
      System.arraycopy(seg.times(), 0, times, lead, len);
      System.arraycopy(seg.observations(), 0, obs, lead * m, len * m);
      if (p > 0) System.arraycopy(seg.inputs(), 0, inputs, lead * p, len * p);
      if (lead == 1) halo(span.lead(), span.origin(), times, inputs, 0, p);
      if (trail == 1) halo(span.trail(), span.origin(), times, inputs, total - 1, p);
      return new SegmentWindow(new Trajectory(seg.id(), times, obs, m, inputs, p), lead, len, span.start());
    }

    private static void halo(SegmentSpan.Halo h, TimeKey origin, double[] times, double[] inputs, int at, int p) {
      times[at] = h.time().since(origin);
      if (p > 0) System.arraycopy(h.inputs(), 0, inputs, at * p, p);
    }
  }

  /**
   * {@code pass} over the partitions of {@code rows} listed in {@code partitions} only (a repair round's, which
   * touches few segments), each task given its partition's index in {@code rows}, so that the spans' ids hold.
   */
  static <R> JavaRDD<R> onPartitions(JavaRDD<Row> rows, SortedSet<Integer> partitions,
      Function2<Integer, Iterator<Row>, Iterator<R>> pass) {
    int[] kept = partitions.stream().mapToInt(Integer::intValue).toArray();
    RDD<Row> pruned = PartitionPruningRDD.create(rows.rdd(), new Kept(kept));
    return JavaRDD.fromRDD(pruned, ClassTag$.MODULE$.apply(Row.class))
        .mapPartitionsWithIndex((index, it) -> pass.call(kept[index], it), false);
  }

  /** The partition filter of {@link #onPartitions}: the pruned RDD keeps the parent's partitions in their order. */
  private static final class Kept extends AbstractFunction1<Object, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int[] sorted;

    Kept(int[] sorted) {
      this.sorted = sorted;
    }

    @Override
    public Object apply(Object index) {
      return Arrays.binarySearch(sorted, (Integer) index) >= 0;
    }
  }

  /** A segment of a long trajectory as the fit caches it: its window (halo rows, times from the trajectory's origin). */
  record Piece(String segment, String key, SegmentWindow window) implements Serializable {}

  /** The fit's one pass over the rows: each segment's {@link Piece}; rows that share a time are dropped here. */
  static final class Pieces extends Pass<Piece> {
    private static final long serialVersionUID = 1L;

    Pieces(StateSpaceModel model, Columns columns, Broadcast<Map<String, SegmentSpan>> spans) {
      super(model, columns, spans);
    }

    @Override
    public Iterator<Piece> call(Integer partition, Iterator<Row> rows) {
      List<Piece> out = new ArrayList<>();
      Iterator<AssembledTrajectory> segments = segments(partition, rows, (id, time, reason, message, raw) -> { });
      while (segments.hasNext()) {
        AssembledTrajectory a = segments.next();
        SegmentSpan span = span(partition, a);
        out.add(new Piece(span.id(), span.key(), window(span, a.trajectory)));
      }
      return out.iterator();
    }
  }

  /** The fit's quarantine of the long trajectories: their rows that share a time, as {@link FitItem}s. */
  static final class Duplicates extends Pass<FitItem> {
    private static final long serialVersionUID = 1L;

    Duplicates(StateSpaceModel model, Columns columns, Broadcast<Map<String, SegmentSpan>> spans) {
      super(model, columns, spans);
    }

    @Override
    public Iterator<FitItem> call(Integer partition, Iterator<Row> rows) {
      List<FitItem> out = new ArrayList<>();
      Iterator<AssembledTrajectory> segments = segments(partition, rows,
          (id, time, reason, message, raw) -> out.add(FitItem.rejected(id, time, reason, message, raw)));
      while (segments.hasNext()) segments.next();
      return out.iterator();
    }
  }

  /** Pass 1: each segment's filtering element. */
  static final class Elements extends Pass<Element> {
    private static final long serialVersionUID = 1L;

    Elements(StateSpaceModel model, Columns columns, Broadcast<Map<String, SegmentSpan>> spans) {
      super(model, columns, spans);
    }

    @Override
    public Iterator<Element> call(Integer partition, Iterator<Row> rows) {
      List<Element> out = new ArrayList<>();
      SegmentPasses passes = new SegmentPasses(model);
      Iterator<AssembledTrajectory> segments = segments(partition, rows, (id, time, reason, message, raw) -> { });
      while (segments.hasNext()) {
        AssembledTrajectory a = segments.next();
        SegmentSpan span = span(partition, a);
        try {
          out.add(new Element(span.id(), span.key(), passes.filterElement(window(span, a.trajectory)), null));
        } catch (InferenceException e) {
          out.add(new Element(span.id(), span.key(), null, e.getMessage()));
        }
      }
      return out.iterator();
    }
  }

  /**
   * Pass 2: each segment filtered from the moments before it; its end, log-likelihood and smoothing element.
   * Only the segments in the spans are filtered (a repair round's); another piece of the same trajectory in the
   * partition is skipped.
   */
  static final class Forwards extends Pass<Forward> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Map<String, Moments>> before;

    Forwards(StateSpaceModel model, Columns columns, Broadcast<Map<String, SegmentSpan>> spans,
        Broadcast<Map<String, Moments>> before) {
      super(model, columns, spans);
      this.before = before;
    }

    @Override
    public Iterator<Forward> call(Integer partition, Iterator<Row> rows) {
      List<Forward> out = new ArrayList<>();
      SegmentPasses passes = new SegmentPasses(model);
      Iterator<AssembledTrajectory> segments = segments(partition, rows, (id, time, reason, message, raw) -> { });
      while (segments.hasNext()) {
        AssembledTrajectory a = segments.next();
        if (!spans.value().containsKey(SegmentSpan.id(partition, a.trajectory.id()))) continue;
        SegmentSpan span = span(partition, a);
        try {
          SegmentPasses.Forward f = passes.filter(window(span, a.trajectory), before.value().get(span.id()));
          out.add(new Forward(span.id(), span.key(), f.end(), f.logLikelihood(), passes.smootherElement(f), null));
        } catch (InferenceException e) {
          out.add(new Forward(span.id(), span.key(), null, 0.0, null, e.getMessage()));
        }
      }
      return out.iterator();
    }
  }

  /**
   * Pass 3: each segment filtered and smoothed from the moments the driver sent, emitted as state rows (and
   * quarantine rows for rows sharing a time); the trajectory's last segment also emits its summary row, with
   * the log-likelihood summed over the segments. One segment's posterior is held at a time.
   */
  static final class Rows extends Pass<InternalRow> {
    private static final long serialVersionUID = 2L;
    /** The engine label of a segmented trajectory's summary row (report.json's trajectories_by_engine). */
    static final String ENGINE = "segmented";
    static final String BACKEND = "cpu";
    private final Broadcast<Map<String, Moments>> before;
    private final Broadcast<Map<String, Moments>> after;
    private final Broadcast<Map<String, Double>> logLikelihoods;
    private final OutputChoice choice;
    private final DataType idType;
    private final DataType timeType;
    private final boolean states;

    /**
     * @param choice the state arrays to emit; @param idType and @param timeType the id and time values' types
     * @param states false to emit only summary and quarantine rows (the job's second pass)
     */
    Rows(StateSpaceModel model, Columns columns, Broadcast<Map<String, SegmentSpan>> spans,
        Broadcast<Map<String, Moments>> before, Broadcast<Map<String, Moments>> after,
        Broadcast<Map<String, Double>> logLikelihoods, OutputChoice choice, DataType idType, DataType timeType,
        boolean states) {
      super(model, columns, spans);
      this.before = before;
      this.after = after;
      this.logLikelihoods = logLikelihoods;
      this.choice = choice;
      this.idType = idType;
      this.timeType = timeType;
      this.states = states;
    }

    @Override
    public Iterator<InternalRow> call(Integer partition, Iterator<Row> rows) {
      List<OutputChoice.StateArray> arrays = choice.stateArrays();
      UnionRows union = new UnionRows(model.obsDim(), model.inputDim(), arrays.size(), idType, timeType);
      ArrayDeque<InternalRow> rejected = new ArrayDeque<>();
      Iterator<AssembledTrajectory> segments = segments(partition, rows,
          (id, time, reason, message, raw) -> rejected.add(union.quarantine(id, time, reason, message, raw)));
      SegmentPasses passes = new SegmentPasses(model);
      return new Iterator<>() {
        private Iterator<InternalRow> current;

        @Override
        public boolean hasNext() {
          while (true) {
            if (!rejected.isEmpty() || (current != null && current.hasNext())) return true;
            if (!segments.hasNext()) return !rejected.isEmpty();
            current = rowsOf(partition, segments.next(), passes, union, arrays);
          }
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) throw new NoSuchElementException();
          return rejected.isEmpty() ? current.next() : rejected.poll();
        }
      };
    }

    private Iterator<InternalRow> rowsOf(int partition, AssembledTrajectory a, SegmentPasses passes, UnionRows union,
        List<OutputChoice.StateArray> arrays) {
      SegmentSpan span = span(partition, a);
      Posterior p;
      try {
        SegmentPasses.Forward f = passes.filter(window(span, a.trajectory), before.value().get(span.id()));
        p = passes.smooth(f, after.value().get(span.id()), false);
        FiniteOutputs.check(p, span.key());
      } catch (InferenceException e) {
        return TrajectoryRows.failed(a, union, columns, "segment of steps " + span.start() + " to "
            + (span.start() + span.length() - 1) + ": " + e.getMessage());
      }
      int n = model.stateDim();
      int nn = n * n;
      Trajectory tr = a.trajectory;
      return new Iterator<>() {
        private int t = states ? 0 : tr.length();

        @Override
        public boolean hasNext() {
          return t < tr.length() || (t == tr.length() && span.last());
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) throw new NoSuchElementException();
          int s = t++;
          if (s == tr.length()) {
            return union.summary(a.id, (int) span.steps(), (int) span.missingSteps(), (int) span.missingValues(),
                logLikelihoods.value().get(span.key()), BACKEND, ENGINE);
          }
          GenericInternalRow row = union.state(a.id, a.timeValues[s], tr.observations(), tr.inputs(), s);
          TrajectoryRows.setArrays(row, union, arrays, n, p.filteredMeans(), s * n, p.filteredCovariances(), s * nn,
              p.smoothedMeans(), s * n, p.smoothedCovariances(), s * nn);
          return row;
        }
      };
    }
  }
}
