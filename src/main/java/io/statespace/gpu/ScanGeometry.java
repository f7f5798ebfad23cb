package io.statespace.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The block structure of the device-wide scan (src/main/cuda/scan.cuh), shared by the GPU engine and
 * its CPU mirror {@link BlockedScan}: B threads per block (a power of two), K consecutive scan positions per
 * thread, tiles of B·K positions, and a hierarchy of levels where level i+1 holds one total per tile of
 * level i, down to a single tile. Also the storage permutation within a tile (position b·B·K + t·K + j at
 * slot b·B·K + j·B + t), which makes each chunk step a coalesced warp access and does not change the order
 * of combines.
 *
 * @param threads B
 * @param chunk K
 */
public record ScanGeometry(int threads, int chunk) {
  /** Shared memory a tile may use (the default per-block limit, no opt-in needed). */
  public static final int SHARED_BYTES = 48 * 1024;
  /** Upper bound on B. */
  public static final int MAX_THREADS = 64;
  /** Upper bound on K. */
  public static final int MAX_CHUNK = 32;
  /** Threads per multiprocessor the choice of K aims to keep busy. */
  public static final int THREADS_PER_SM = 256;

  public ScanGeometry {
    if (threads < 1 || Integer.bitCount(threads) != 1) throw new IllegalArgumentException("B must be a power of two");
    if (chunk < 1) throw new IllegalArgumentException("K must be positive");
    if ((long) threads * chunk < 2) throw new IllegalArgumentException("a tile needs at least 2 positions, or levels never shrink");
  }

  /** The largest power of two B ≤ 64 whose tile of element width {@code width} fits in 48 KiB of shared memory. */
  public static int threadsFor(int width) {
    int b = MAX_THREADS;
    while (b > 1 && (long) b * width * Double.BYTES > SHARED_BYTES) b >>= 1;
    return b;
  }

  /**
   * K for a scan of {@code count} positions on a device with {@code multiprocessors} SMs: enough threads
   * to fill the device (count / K ≈ SMs × 256), at most 32 (the depth of the chunk loops), at least 1.
   */
  public static int chunkFor(long count, int multiprocessors) {
    long k = count / ((long) Math.max(1, multiprocessors) * THREADS_PER_SM);
    return (int) Math.max(1, Math.min(MAX_CHUNK, k));
  }

  /** The geometry for an operator of element width {@code width}. */
  public static ScanGeometry of(int width, long count, int multiprocessors) {
    return new ScanGeometry(threadsFor(width), chunkFor(count, multiprocessors));
  }

  public long tile() {
    return (long) threads * chunk;
  }

  public long tiles(long count) {
    return (count + tile() - 1) / tile();
  }

  /** Slots allocated for a level of {@code count} positions (whole tiles). */
  public long capacity(long count) {
    return Math.max(1, tiles(count)) * tile();
  }

  /** Storage slot of a scan position. */
  public long slot(long pos) {
    long b = pos / tile();
    long r = pos - b * tile();
    long t = r / chunk;
    long j = r - t * chunk;
    return b * tile() + j * threads + t;
  }

  /** Position counts of the levels: level 0 has {@code count}, each next one the tile count of the last. */
  public List<Long> levels(long count) {
    List<Long> out = new ArrayList<>();
    out.add(count);
    long c = count;
    while (c > tile()) {
      c = tiles(c);
      out.add(c);
    }
    return out;
  }
}
