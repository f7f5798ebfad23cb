package io.statespace.spark;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.AccumulatorV2;

/**
 * The rows a job reads, counted in the pass that parses them instead of in a separate count job: each input
 * partition records its row count under its partition index once it has been read to the end. A task that
 * runs again (a retry, a recomputed shuffle stage, a speculative copy) records the same count under the same
 * index, so the total is exact however often a partition is read, unlike a plain sum accumulator.
 */
final class InputRowCount extends AccumulatorV2<long[], Map<Integer, Long>> {
  private static final long serialVersionUID = 1L;

  private final HashMap<Integer, Long> counts = new HashMap<>();

  @Override
  public boolean isZero() {
    return counts.isEmpty();
  }

  @Override
  public InputRowCount copy() {
    InputRowCount c = new InputRowCount();
    synchronized (this) {
      c.counts.putAll(counts);
    }
    return c;
  }

  @Override
  public synchronized void reset() {
    counts.clear();
  }

  /** @param partitionAndCount {partition index, rows} */
  @Override
  public synchronized void add(long[] partitionAndCount) {
    counts.put((int) partitionAndCount[0], partitionAndCount[1]);
  }

  @Override
  public synchronized void merge(AccumulatorV2<long[], Map<Integer, Long>> other) {
    counts.putAll(other.value());
  }

  @Override
  public synchronized Map<Integer, Long> value() {
    return new HashMap<>(counts);
  }

  /** The rows of every partition that reported. */
  long total() {
    long sum = 0;
    for (long c : value().values()) sum += c;
    return sum;
  }

  /** The parse stage's function with its input rows counted into this accumulator. */
  MapPartitionsFunction<Row, Row> counting(MapPartitionsFunction<Row, Row> parse) {
    InputRowCount target = this;
    return rows -> parse.call(new Iterator<>() {
      private long seen;
      private boolean recorded;

      @Override
      public boolean hasNext() {
        boolean more = rows.hasNext();
        if (!more && !recorded) {
          recorded = true;
          target.add(new long[] {TaskContext.getPartitionId(), seen});
        }
        return more;
      }

      @Override
      public Row next() {
        Row r = rows.next();
        seen++;
        return r;
      }
    });
  }
}
