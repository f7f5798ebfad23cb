package io.statespace.inference.parallel;

/**
 * The work-efficient CPU scan: split the elements into one contiguous chunk per worker, scan each chunk
 * sequentially, scan the chunk totals, then combine each chunk's incoming prefix into its elements. About
 * 2·count combines at depth 2·count/threads, against count combines sequentially.
 */
public final class ChunkedScan implements AssociativeScan {
  private final WorkerPool pool;

  public ChunkedScan(WorkerPool pool) {
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

  private <W> void scan(ScanOperator<W> op, double[] elements, ScanOrder order, int count) {
    int chunks = pool.ranges(count, 1);
    if (chunks == 0) return;
    int width = op.width();
    Object[] workspaces = new Object[chunks];
    for (int c = 0; c < chunks; c++) workspaces[c] = op.newWorkspace();
    pool.invoke(chunks, c -> scanChunk(op, elements, order, width,
        WorkerPool.bound(count, chunks, c), WorkerPool.bound(count, chunks, c + 1), workspace(workspaces, c)));
    if (chunks == 1) return;
    // carries[c] = everything before chunk c (c >= 1), in scan order.
    double[] carries = new double[chunks * width];
    W ws = workspace(workspaces, 0);
    int lastOfFirst = order.element(WorkerPool.bound(count, chunks, 1) - 1);
    System.arraycopy(elements, lastOfFirst * width, carries, width, width);
    for (int c = 2; c < chunks; c++) {
      int last = order.element(WorkerPool.bound(count, chunks, c) - 1);
      order.combine(op, carries, (c - 1) * width, elements, last * width, carries, c * width, ws);
    }
    pool.invoke(chunks - 1, w -> {
      int c = w + 1;
      W local = workspace(workspaces, w);
      for (int i = WorkerPool.bound(count, chunks, c); i < WorkerPool.bound(count, chunks, c + 1); i++) {
        int k = order.element(i) * width;
        order.combine(op, carries, c * width, elements, k, elements, k, local);
      }
    });
  }

  /** Sequential inclusive scan of scan positions [lo, hi). */
  private static <W> void scanChunk(ScanOperator<W> op, double[] elements, ScanOrder order, int width,
      int lo, int hi, W ws) {
    for (int i = lo + 1; i < hi; i++) {
      int k = order.element(i) * width;
      order.combine(op, elements, order.element(i - 1) * width, elements, k, elements, k, ws);
    }
  }

  @SuppressWarnings("unchecked")
  private static <W> W workspace(Object[] workspaces, int w) {
    return (W) workspaces[w];
  }
}
