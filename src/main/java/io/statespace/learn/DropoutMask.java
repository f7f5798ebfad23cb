package io.statespace.learn;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Seeded observation dropout that depends only on (run seed, trajectory id, step, epoch), never on
 * partitioning, order or thread: a counter-based generator (SplitMix64's finaliser, Steele, Lea &
 * Flood 2014) over a stable 64-bit FNV-1a hash of the id's UTF-8 bytes. Step t of trajectory id is
 * dropped in epoch e with probability {@code rate}, independently of every other (id, t, e).
 */
public final class DropoutMask implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final double rate;
  private final long seed;

  /** @param rate drop probability in [0, 1) */
  public DropoutMask(double rate, long seed) {
    if (!(rate >= 0.0 && rate < 1.0)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    this.rate = rate;
    this.seed = seed;
  }

  public double rate() {
    return rate;
  }

  public long seed() {
    return seed;
  }

  /** The per-trajectory key; compute it once per trajectory and pass it to {@link #dropped}. */
  public long key(String trajectoryId) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : trajectoryId.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return mix(seed ^ mix(hash));
  }

  /** True when step t of the trajectory with this key is dropped in the given epoch. */
  public boolean dropped(long key, int step, long epoch) {
    if (rate == 0.0) return false;
    long z = mix(key + GOLDEN * (step + 1L));
    z = mix(z ^ mix(epoch * GOLDEN + 0x632BE59BD9B4E019L));
    double uniform = (z >>> 11) * 0x1.0p-53;
    return uniform < rate;
  }

  /** SplitMix64's finaliser (Stafford variant 13). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
