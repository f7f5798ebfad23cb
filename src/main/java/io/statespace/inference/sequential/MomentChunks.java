package io.statespace.inference.sequential;

/**
 * The moments of every step of a long trajectory (a mean of n values and a covariance of n×n per step) in
 * chunks of a fixed number of steps instead of one T×n and one T×n×n array. A single array of 10^7
 * covariances of n = 4 is 1.28 GB, which the JVM must place in one contiguous run of free heap: G1 puts it in
 * humongous regions and never moves those, so a heap with 3 GB free but split by other large arrays cannot hold
 * it (docs/BENCHMARKS.md, "Memory of one trajectory of 10^7 steps"). A covariance chunk, header included, is at
 * most {@link #TARGET_BYTES}: it fits in any such gap, and fills whole G1 regions of up to 8 MiB (an array of
 * exactly 8 MiB of doubles would spill its header into one more region and waste the rest of it). Step t
 * lives in chunk t / chunkSteps at slot t mod chunkSteps.
 */
final class MomentChunks {
  /** The most bytes of a covariance chunk, array header included: 8 MiB. */
  static final int TARGET_BYTES = 8 << 20;
  /** The most a double[]'s header takes in HotSpot: 16 bytes, 24 without compressed class pointers. */
  private static final int HEADER_BYTES = 24;

  private final int n;
  private final int chunkSteps;
  private final double[][] means;
  private final double[][] covs;

  /** @param chunkSteps steps per chunk, at least 1 */
  MomentChunks(int steps, int n, int chunkSteps) {
    this.n = n;
    this.chunkSteps = requirePositive(chunkSteps);
    int chunks = (int) (((long) steps + chunkSteps - 1) / chunkSteps);
    means = new double[chunks][];
    covs = new double[chunks][];
    for (int c = 0; c < chunks; c++) {
      int len = Math.min(chunkSteps, steps - c * chunkSteps);
      means[c] = new double[len * n];
      covs[c] = new double[len * n * n];
    }
  }

  /** @throws IllegalArgumentException unless {@code chunkSteps} is at least 1 */
  static int requirePositive(int chunkSteps) {
    if (chunkSteps < 1) throw new IllegalArgumentException("steps per chunk must be at least 1, got " + chunkSteps);
    return chunkSteps;
  }

  /** The most steps whose n×n covariances and array header fit in {@link #TARGET_BYTES} (at least 1). */
  static int chunkSteps(int n) {
    return Math.max(1, (TARGET_BYTES - HEADER_BYTES) / (8 * n * n));
  }

  int chunks() {
    return means.length;
  }

  int chunkSteps() {
    return chunkSteps;
  }

  /** Chunk c of means (its steps × n values). */
  double[] meanChunk(int c) {
    return means[c];
  }

  /** Chunk c of covariances (its steps × n×n values). */
  double[] covChunk(int c) {
    return covs[c];
  }

  /** The chunk of means that holds step t. */
  double[] means(int t) {
    return means[t / chunkSteps];
  }

  /** The chunk of covariances that holds step t. */
  double[] covs(int t) {
    return covs[t / chunkSteps];
  }

  /** Step t's slot in its chunk: its mean starts at slot·n, its covariance at slot·n². */
  int slot(int t) {
    return t % chunkSteps;
  }

  int stateDim() {
    return n;
  }

  /** The largest chunk, in doubles (a covariance chunk). */
  int largestChunk() {
    return covs.length == 0 ? 0 : covs[0].length;
  }
}
