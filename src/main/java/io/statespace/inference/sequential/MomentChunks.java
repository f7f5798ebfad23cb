package io.statespace.inference.sequential;

/**
 * The moments of every step of a long trajectory (a mean of n values and a covariance of n×n per step) in
 * chunks of a fixed number of steps instead of one T×n and one T×n×n array. A single array of 10^7
 * covariances of n = 4 is 1.28 GB, which the JVM must place in one contiguous run of free heap: G1 puts it in
 * humongous regions and never moves those, so a heap with 3 GB free but split by other large arrays cannot hold
 * it (docs/BENCHMARKS.md, "Memory of one trajectory of 10^7 steps"). Chunks of at most {@link #TARGET_BYTES}
 * fit in any such gap. Step t lives in chunk t / chunkSteps at slot t mod chunkSteps.
 */
final class MomentChunks {
  /** The default size of a covariance chunk: 8 MiB. */
  static final int TARGET_BYTES = 8 << 20;

  private final int n;
  private final int shift;
  private final int mask;
  private final double[][] means;
  private final double[][] covs;

  /** @param chunkSteps steps per chunk, a power of two */
  MomentChunks(int steps, int n, int chunkSteps) {
    requirePowerOfTwo(chunkSteps);
    this.n = n;
    this.shift = Integer.numberOfTrailingZeros(chunkSteps);
    this.mask = chunkSteps - 1;
    int chunks = (int) (((long) steps + chunkSteps - 1) >>> shift);
    means = new double[chunks][];
    covs = new double[chunks][];
    for (int c = 0; c < chunks; c++) {
      int len = Math.min(chunkSteps, steps - (c << shift));
      means[c] = new double[len * n];
      covs[c] = new double[len * n * n];
    }
  }

  /** @throws IllegalArgumentException unless {@code chunkSteps} is a power of two */
  static int requirePowerOfTwo(int chunkSteps) {
    if (chunkSteps <= 0 || Integer.bitCount(chunkSteps) != 1) {
      throw new IllegalArgumentException("steps per chunk must be a power of two, got " + chunkSteps);
    }
    return chunkSteps;
  }

  /** The steps per chunk that keep a chunk of n×n covariances within {@link #TARGET_BYTES} (a power of two). */
  static int chunkSteps(int n) {
    return Integer.highestOneBit(Math.max(1, TARGET_BYTES / (8 * n * n)));
  }

  /** The chunk of means that holds step t. */
  double[] means(int t) {
    return means[t >>> shift];
  }

  /** The chunk of covariances that holds step t. */
  double[] covs(int t) {
    return covs[t >>> shift];
  }

  /** Step t's slot in its chunk: its mean starts at slot·n, its covariance at slot·n². */
  int slot(int t) {
    return t & mask;
  }

  int stateDim() {
    return n;
  }

  /** The largest chunk, in doubles (a covariance chunk). */
  int largestChunk() {
    return covs.length == 0 ? 0 : covs[0].length;
  }
}
