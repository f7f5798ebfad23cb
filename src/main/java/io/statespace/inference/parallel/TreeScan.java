package io.statespace.inference.parallel;

/**
 * Blelloch's tree scan (1990): pad to a power of two with identity elements, reduce pairwise up a balanced
 * tree (up-sweep), then push exclusive prefixes back down (down-sweep), and finally combine each exclusive
 * prefix with its own element to make the scan inclusive. This is the order of evaluation of a GPU block
 * scan: every level is one data-parallel step (here spread over the workers), 2·N combines at depth
 * 2·log2 N. Used as a second order of evaluation to check the operators and {@link ChunkedScan} against.
 */
public final class TreeScan implements AssociativeScan {
  /** Tree nodes per worker below which a level runs on fewer workers. */
  private static final int GRAIN = 16;

  private final WorkerPool pool;

  public TreeScan(WorkerPool pool) {
    this.pool = pool;
  }

  @Override
  public WorkerPool pool() {
    return pool;
  }

  @Override
  public <W> void forward(ScanOperator<W> op, double[] elements, int count) {
    scan(op, elements, new ScanOrder(false, count), count);
  }

  @Override
  public <W> void reverse(ScanOperator<W> op, double[] elements, int count) {
    scan(op, elements, new ScanOrder(true, count), count);
  }

  /** The padded length: the smallest power of two at least {@code count}. */
  static int paddedLength(int count) {
    return count <= 1 ? 1 : Integer.highestOneBit(count - 1) << 1;
  }

  private <W> void scan(ScanOperator<W> op, double[] elements, ScanOrder order, int count) {
    if (count <= 0) return;
    int width = op.width();
    int padded = paddedLength(count);
    Object[] workspaces = new Object[pool.threads()];
    double[][] temps = new double[pool.threads()][width];
    for (int w = 0; w < workspaces.length; w++) workspaces[w] = op.newWorkspace();
    double[] tree = new double[padded * width];
    pool.forEachRange(padded, GRAIN, (w, lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        if (i < count) {
          System.arraycopy(elements, order.element(i) * width, tree, i * width, width);
        } else {
          op.identity(tree, i * width);
        }
      }
    });
    for (int d = 1; d < padded; d <<= 1) {
      int stride = d << 1;
      int span = d;
      pool.forEachRange(padded / stride, GRAIN, (w, lo, hi) -> {
        W ws = workspace(workspaces, w);
        for (int node = lo; node < hi; node++) {
          int right = (node * stride + stride - 1) * width;
          order.combine(op, tree, right - span * width, tree, right, tree, right, ws);
        }
      });
    }
    op.identity(tree, (padded - 1) * width);
    for (int d = padded >> 1; d >= 1; d >>= 1) {
      int stride = d << 1;
      int span = d;
      pool.forEachRange(padded / stride, GRAIN, (w, lo, hi) -> {
        W ws = workspace(workspaces, w);
        double[] leftSum = temps[w];
        for (int node = lo; node < hi; node++) {
          int right = (node * stride + stride - 1) * width;
          int left = right - span * width;
          System.arraycopy(tree, left, leftSum, 0, width);
          System.arraycopy(tree, right, tree, left, width);
          order.combine(op, tree, right, leftSum, 0, tree, right, ws);
        }
      });
    }
    pool.forEachRange(count, GRAIN, (w, lo, hi) -> {
      W ws = workspace(workspaces, w);
      for (int i = lo; i < hi; i++) {
        int k = order.element(i) * width;
        order.combine(op, tree, i * width, elements, k, elements, k, ws);
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static <W> W workspace(Object[] workspaces, int w) {
    return (W) workspaces[w];
  }
}
