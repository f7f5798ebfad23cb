package io.statespace.bench;

import io.statespace.data.Trajectory;
import java.util.List;

/**
 * A Kalman filter (and smoother) from another JVM library, run by the bench on the same model and data in the
 * same process. Implementations live in {@code src/bench/java} (test scope: never in the spark jar) and are
 * loaded by name ({@link Peers}).
 */
public interface Peer {
  /** Library, version and classes, for the table. */
  String name();

  /** True for filter + RTS smoother, false for filter only. */
  boolean smooths();

  /**
   * Runs every trajectory through the peer.
   *
   * @return Σ over trajectories of the first component of the state estimate at the last step (filtered =
   *     smoothed there): a checksum that the bench compares with its own engines
   */
  double run(BenchModel model, List<Trajectory> data);
}
