package io.statespace.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;

/**
 * The one engine pass of {@code smooth}, per partition of the union rows: passes the state rows on to the
 * writer and counts them (and the forecast rows among them); keeps the partition's summary and quarantine rows
 * (the side rows, as {@link UnsafeRow}s) and counts them, and once the partition is exhausted stores them as
 * the partition's cached block of the side RDD ({@link SideBlocks}), which the summary and quarantine writes and
 * the accounting then read instead of running the engine again ({@link EngineStage}).
 *
 * <p>The counts are accumulators of the write job's result tasks, so Spark adds them once per partition,
 * from the attempt that succeeded. The block is keyed by the partition: the first attempt to finish the
 * partition on an executor stores it there and later ones leave it (another executor's attempt adds a second
 * location), so the side RDD yields one block per partition however many attempts ran; since every attempt
 * reads the same shuffle output into a deterministic engine, any attempt's block holds the committed
 * attempt's rows (docs/ARCHITECTURE.md §3, step 5, says where a backend decided per task makes an exception). A partition whose side rows exceed
 * the cap ({@link #keptBytesFor}) keeps none (memory stays bounded by the cap, not by the partition): the side RDD then
 * recomputes it, as it does a block that is missing.
 */
final class StatesPass implements Function2<Integer, Iterator<InternalRow>, Iterator<InternalRow>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(StatesPass.class);

  /**
   * The side rows one task keeps on an executor of {@code maxHeap} bytes: a 32nd of the heap (two tasks of a
   * 4 GiB executor keep 256 MiB between them), at least 16 MiB and at most 256 MiB, so that a partition of many
   * short trajectories keeps its rows while a lone long trajectory's arrays keep their room.
   */
  static long keptBytesFor(long maxHeap) {
    return Math.max(16L << 20, Math.min(256L << 20, maxHeap / 32));
  }

  /** Where the side rows go and what each task may hold of them ({@code keptBytes} 0: {@link #keptBytesFor}). */
  record Side(int rddId, StorageLevel level, ClassTag<?> tag, long keptBytes, StructType schema)
      implements java.io.Serializable {}

  /** The accumulators the pass adds to. */
  record Counts(LongAccumulator states, LongAccumulator summaries, LongAccumulator quarantine,
      LongAccumulator forecast, LongAccumulator blocksKept) implements java.io.Serializable {}

  private final Counts counts;
  private final int forecastIndex;
  private final Side side;

  /** @param side where to keep the side rows; null to keep none (they are only counted) */
  StatesPass(Counts counts, int forecastIndex, Side side) {
    this.counts = counts;
    this.forecastIndex = forecastIndex;
    this.side = side;
  }

  @Override
  public Iterator<InternalRow> call(Integer partition, Iterator<InternalRow> rows) {
    return new Pass(partition, rows);
  }

  /** The state rows of one partition, lazily; the side rows kept until the partition ends. */
  private final class Pass implements Iterator<InternalRow> {
    private final int partition;
    private final Iterator<InternalRow> in;
    private List<UnsafeRow> kept;
    private UnsafeProjection unsafe;
    private long bytes;
    private final long cap;
    private boolean finished;
    private InternalRow next;

    Pass(int partition, Iterator<InternalRow> in) {
      this.partition = partition;
      this.in = in;
      this.kept = side == null ? null : new ArrayList<>();
      this.cap = side == null ? 0 : side.keptBytes() > 0 ? side.keptBytes() : keptBytesFor(Runtime.getRuntime().maxMemory());
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (!in.hasNext()) {
          finish();
          return false;
        }
        InternalRow r = in.next();
        int kind = r.getInt(0);
        if (kind == UnionRows.STATE) {
          counts.states().add(1);
          if (!r.isNullAt(forecastIndex) && r.getBoolean(forecastIndex)) counts.forecast().add(1);
          next = r;
        } else {
          (kind == UnionRows.SUMMARY ? counts.summaries() : counts.quarantine()).add(1);
          keep(r);
        }
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      InternalRow r = next;
      next = null;
      return r;
    }

    private void keep(InternalRow r) {
      if (kept == null) return;
      if (unsafe == null) unsafe = UnsafeProjection.create(side.schema());
      UnsafeRow row = unsafe.apply(r).copy();
      bytes += row.getSizeInBytes();
      if (bytes > cap) {
        LOG.info("smooth: the summary and quarantine rows of partition {} pass {} bytes; the side RDD recomputes them",
            partition, cap);
        kept = null;
        return;
      }
      kept.add(row);
    }

    /** Stores the kept rows as the side RDD's block of this partition, once, when the partition is exhausted. */
    private void finish() {
      if (finished) return;
      finished = true;
      if (kept != null && SideBlocks.put(side.rddId(), partition, kept.iterator(), side.level(), side.tag())) {
        counts.blocksKept().add(1);
      }
      kept = null;
    }
  }
}
