package io.statespace.inference.diffuse;

import java.util.ArrayList;
import java.util.List;

/**
 * What the exact diffuse filter records over the diffuse period (the steps before P_∞ vanishes) for the
 * diffuse smoother: per step the predicted (a_t, P_*,t, P_∞,t), and per observed component of the
 * LDL-whitened observation the row z, the innovation v, F_*, F_∞, M_* = P_* z, M_∞ = P_∞ z at that point of the
 * univariate sequence and which update it took (docs/ARCHITECTURE.md §7.6).
 */
public final class DiffusePeriod {
  /** The component contributed nothing (F_∞ and F_* both at most the tolerance). */
  static final byte NONE = 0;
  /** The ordinary univariate update (F_∞ = 0, F_* > 0). */
  static final byte PROPER = 1;
  /** The diffuse univariate update (F_∞ > 0). */
  static final byte DIFFUSE = 2;

  /** One diffuse step. */
  static final class Step {
    final double[] predMean;
    final double[] predCov;
    final double[] predDiffuse;
    final int components;
    final double[] rows;
    final double[] innovations;
    final double[] proper;
    final double[] diffuse;
    final double[] properGain;
    final double[] diffuseGain;
    final byte[] kinds;

    Step(double[] predMean, double[] predCov, double[] predDiffuse, int components, int n) {
      this.predMean = predMean;
      this.predCov = predCov;
      this.predDiffuse = predDiffuse;
      this.components = components;
      rows = new double[components * n];
      innovations = new double[components];
      proper = new double[components];
      diffuse = new double[components];
      properGain = new double[components * n];
      diffuseGain = new double[components * n];
      kinds = new byte[components];
    }
  }

  final List<Step> steps = new ArrayList<>();
  /** The number of diffuse steps d: P_∞ is zero after the update of step d−1. */
  int length;
  /** The diffuse period's part of the log-likelihood. */
  double logLikelihood;

  /** The number of diffuse steps d (the ordinary recursions take over from step d). */
  public int length() {
    return length;
  }

  /** The log-likelihood of steps 0..d−1 (Durbin &amp; Koopman's diffuse terms and the proper ones among them). */
  public double logLikelihood() {
    return logLikelihood;
  }
}
