package io.statespace.spark;

import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.InPlaceSmoother;

/**
 * The jobs' promise that outputs are finite: a NaN or an infinity anywhere in a posterior (float64
 * overflow, say observations of 1e300) fails that trajectory, which then goes to quarantine with the reason.
 */
final class FiniteOutputs {
  private FiniteOutputs() {}

  static void check(Posterior p, String id) {
    logLikelihood(p.logLikelihood(), id, p.length());
    for (double[] a : new double[][] {p.filteredMeans(), p.filteredCovariances(), p.smoothedMeans(), p.smoothedCovariances()}) {
      values(a, id, p.length());
    }
  }

  static void check(InPlaceSmoother.Result r, String id) {
    logLikelihood(r.logLikelihood(), id, r.length());
    int n = r.stateDim();
    for (int t = 0; t < r.length(); t++) {
      values(r.smoothedMeans(t), r.meanOffset(t), n, id, t);
      values(r.smoothedCovariances(t), r.covarianceOffset(t), n * n, id, t);
    }
  }

  /** The {@code length} values of step t from {@code from}. */
  private static void values(double[] a, int from, int length, String id, int t) {
    for (int i = from; i < from + length; i++) {
      if (!Double.isFinite(a[i])) throw new InferenceException(id, t, "non-finite posterior moment " + a[i] + " (overflow)");
    }
  }

  private static void logLikelihood(double value, String id, int steps) {
    if (!Double.isFinite(value)) {
      throw new InferenceException(id, steps - 1, "non-finite log-likelihood " + value + " (observations too large for float64?)");
    }
  }

  private static void values(double[] a, String id, int steps) {
    for (int i = 0; i < a.length; i++) {
      if (!Double.isFinite(a[i])) {
        throw new InferenceException(id, i / (a.length / steps), "non-finite posterior moment " + a[i] + " (overflow)");
      }
    }
  }
}
