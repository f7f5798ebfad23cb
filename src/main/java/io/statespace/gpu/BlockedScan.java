package io.statespace.gpu;

import io.statespace.inference.parallel.AssociativeScan;
import io.statespace.inference.parallel.ScanOperator;
import io.statespace.inference.parallel.WorkerPool;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU mirror of the GPU scan (src/main/cuda/scan.cuh): exactly its blocked algorithm and order of
 * combines for a {@link ScanGeometry} (B threads, K positions per thread), run with the CPU operators, so
 * that the block structure the kernels use can be checked against the sequential engine on a machine
 * without a GPU. Per level, bottom-up: each tile scans its B chunks sequentially, scans the B chunk totals
 * by Blelloch's tree (identity for empty chunks; up-sweep, save the tile total, clear the root,
 * down-sweep), and combines each chunk's exclusive prefix into the chunk (chunk 0 has none); the tile
 * totals form the next level. Then top-down, every position of tile b ≥ 1 gets the scanned total of tile
 * b-1 in front. A reverse scan runs the same positions over the elements in reverse order with the
 * operator's arguments swapped. Tiles of a level are independent and run on the pool's workers.
 */
public final class BlockedScan implements AssociativeScan {
  private final WorkerPool pool;
  private final ScanGeometry geometry;

  public BlockedScan(WorkerPool pool, ScanGeometry geometry) {
    this.pool = pool;
    this.geometry = geometry;
  }

  public ScanGeometry geometry() {
    return geometry;
  }

  @Override
  public WorkerPool pool() {
    return pool;
  }

  @Override
  public <W> void forward(ScanOperator<W> op, double[] elements, int count) {
    scan(op, elements, count, false);
  }

  @Override
  public <W> void reverse(ScanOperator<W> op, double[] elements, int count) {
    scan(op, elements, count, true);
  }

  /** A level's positions: level 0 maps onto the caller's elements (reversed for a reverse scan). */
  private static final class Level {
    final double[] data;
    final int count;
    final boolean reversed;

    Level(double[] data, int count, boolean reversed) {
      this.data = data;
      this.count = count;
      this.reversed = reversed;
    }

    int offset(int pos, int width) {
      return (reversed ? count - 1 - pos : pos) * width;
    }
  }

  private <W> void scan(ScanOperator<W> op, double[] elements, int count, boolean reverse) {
    if (count <= 0) return;
    int width = op.width();
    List<Level> levels = new ArrayList<>();
    levels.add(new Level(elements, count, reverse));
    for (long c : geometry.levels(count).subList(1, geometry.levels(count).size())) {
      levels.add(new Level(new double[(int) c * width], (int) c, false));
    }
    for (int i = 0; i < levels.size(); i++) {
      Level next = i + 1 < levels.size() ? levels.get(i + 1) : null;
      tilePass(op, levels.get(i), next, reverse);
    }
    for (int i = levels.size() - 2; i >= 0; i--) carryPass(op, levels.get(i), levels.get(i + 1), reverse);
  }

  /** (earlier position) ⊕ (later position) into out. */
  private static <W> void ordered(ScanOperator<W> op, boolean reverse, double[] first, int fo, double[] second,
      int so, double[] out, int oo, W ws) {
    if (reverse) {
      op.combine(second, so, first, fo, out, oo, ws);
    } else {
      op.combine(first, fo, second, so, out, oo, ws);
    }
  }

  private <W> void tilePass(ScanOperator<W> op, Level level, Level totals, boolean reverse) {
    int width = op.width();
    int threads = geometry.threads();
    int chunk = geometry.chunk();
    long tile = geometry.tile();
    int tiles = (int) geometry.tiles(level.count);
    pool.forEachRange(tiles, 1, (w, lo, hi) -> {
      W ws = op.newWorkspace();
      double[] shared = new double[threads * width];
      double[] swap = new double[width];
      for (int b = lo; b < hi; b++) {
        for (int t = 0; t < threads; t++) {
          long first = b * tile + (long) t * chunk;
          long last = Math.min(first + chunk, level.count);
          if (first >= last) {
            op.identity(shared, t * width);
            continue;
          }
          for (long pos = first + 1; pos < last; pos++) {
            int x = level.offset((int) pos, width);
            ordered(op, reverse, level.data, level.offset((int) pos - 1, width), level.data, x, level.data, x, ws);
          }
          System.arraycopy(level.data, level.offset((int) last - 1, width), shared, t * width, width);
        }
        for (int d = 1; d < threads; d <<= 1) {
          for (int t = 0; t < threads; t++) {
            if ((t + 1) % (2 * d) == 0) {
              ordered(op, reverse, shared, (t - d) * width, shared, t * width, shared, t * width, ws);
            }
          }
        }
        if (totals != null) System.arraycopy(shared, (threads - 1) * width, totals.data, b * width, width);
        op.identity(shared, (threads - 1) * width);
        for (int d = threads >> 1; d >= 1; d >>= 1) {
          for (int t = 0; t < threads; t++) {
            if ((t + 1) % (2 * d) == 0) {
              int left = (t - d) * width;
              System.arraycopy(shared, left, swap, 0, width);
              System.arraycopy(shared, t * width, shared, left, width);
              ordered(op, reverse, shared, t * width, swap, 0, shared, t * width, ws);
            }
          }
        }
        for (int t = 1; t < threads; t++) {
          long first = b * tile + (long) t * chunk;
          long last = Math.min(first + chunk, level.count);
          for (long pos = first; pos < last; pos++) {
            int x = level.offset((int) pos, width);
            ordered(op, reverse, shared, t * width, level.data, x, level.data, x, ws);
          }
        }
      }
    });
  }

  private <W> void carryPass(ScanOperator<W> op, Level level, Level totals, boolean reverse) {
    int width = op.width();
    long tile = geometry.tile();
    int tiles = (int) geometry.tiles(level.count);
    pool.forEachRange(tiles - 1, 1, (w, lo, hi) -> {
      W ws = op.newWorkspace();
      for (int i = lo; i < hi; i++) {
        int b = i + 1;
        long last = Math.min((b + 1) * tile, level.count);
        for (long pos = b * tile; pos < last; pos++) {
          int x = level.offset((int) pos, width);
          ordered(op, reverse, totals.data, (b - 1) * width, level.data, x, level.data, x, ws);
        }
      }
    });
  }
}
