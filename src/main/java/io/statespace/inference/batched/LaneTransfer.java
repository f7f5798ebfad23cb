package io.statespace.inference.batched;

/**
 * Copies between a tile's structure-of-arrays state ({@code soa[e][lane]}) and the per-trajectory row-major
 * arrays of the posterior ({@code rows[lane][t * entries + e]}). Scalar loops: each lane writes to its own
 * array, so these are the gathers and scatters around the vectorised kernels.
 */
final class LaneTransfer {
  private LaneTransfer() {}

  /** rows[l][offset + e] = soa[e][l] for lanes [0, active) and entries e &lt; entries. */
  static void store(double[][] soa, int entries, double[][] rows, int offset, int active) {
    for (int l = 0; l < active; l++) {
      double[] row = rows[l];
      for (int e = 0; e < entries; e++) row[offset + e] = soa[e][l];
    }
  }

  /** soa[e][l] = rows[l][offset + e] for lanes [from, to). */
  static void load(double[][] rows, int offset, double[][] soa, int entries, int from, int to) {
    for (int l = from; l < to; l++) {
      double[] row = rows[l];
      for (int e = 0; e < entries; e++) soa[e][l] = row[offset + e];
    }
  }

  /** soa[e][l] = rows[l][offset + e] for lanes [from, to), upper-triangle entries of an n×n symmetric matrix. */
  static void loadSymmetric(double[][] rows, int offset, double[][] soa, int n, int from, int to) {
    for (int l = from; l < to; l++) {
      double[] row = rows[l];
      for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) soa[i * n + j][l] = row[offset + i * n + j];
      }
    }
  }

  /** Copies lanes [0, active) of a model matrix into a lane matrix (a shared entry is broadcast). */
  static void broadcast(LaneMatrix from, double[][] to, boolean upper, int active) {
    int n = from.cols;
    for (int i = 0; i < from.rows; i++) {
      for (int j = upper ? i : 0; j < n; j++) {
        int e = i * n + j;
        if (from.lanes[e] != null) {
          System.arraycopy(from.lanes[e], 0, to[e], 0, active);
        } else {
          LaneLoops.fill(to[e], from.shared[e], active);
        }
      }
    }
  }

  /** Copies lanes [0, active) of each listed entry; for the upper triangle of symmetric matrices pass upper. */
  static void copy(double[][] from, double[][] to, int n, boolean upper, int active) {
    for (int i = 0; i < n; i++) {
      for (int j = upper ? i : 0; j < n; j++) System.arraycopy(from[i * n + j], 0, to[i * n + j], 0, active);
    }
  }
}
