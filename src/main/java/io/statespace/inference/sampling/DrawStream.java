package io.statespace.inference.sampling;

import java.nio.charset.StandardCharsets;

/**
 * The standard normal numbers of one posterior draw, a function of (run seed, trajectory key, draw index) only,
 * never of partitioning, task or thread order: the trajectory key's UTF-8 bytes are hashed (64-bit FNV-1a) and
 * mixed with the seed ({@link #trajectorySeed}), each draw index selects its own SplitMix64 stream (Steele, Lea
 * &amp; Flood 2014) from that, and the stream's uniforms become normals by the Box-Muller transform. The same
 * (seed, key, draw) gives the same numbers on every machine. One instance per draw, for one thread.
 */
public final class DrawStream {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private long state;
  private double spare;
  private boolean hasSpare;

  /**
   * The stream of draw {@code draw} of the trajectory whose {@link #trajectorySeed} is given.
   *
   * @param draw 0-based draw index
   */
  public DrawStream(long trajectorySeed, int draw) {
    this.state = mix(trajectorySeed ^ mix(GOLDEN * (draw + 1L) + 0x632BE59BD9B4E019L));
  }

  /** The per-trajectory seed: compute it once per trajectory and pass it to each draw's stream. */
  public static long trajectorySeed(long seed, String trajectoryKey) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : trajectoryKey.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return mix(seed ^ mix(hash));
  }

  /** The next standard normal number. */
  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = 1.0 - nextUniform();
    double u2 = nextUniform();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    double theta = 2.0 * Math.PI * u2;
    spare = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  private double nextUniform() {
    state += GOLDEN;
    return (mix(state) >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finaliser (Stafford variant 13). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
