package io.statespace.learn;

import io.statespace.linalg.Cholesky;
import java.util.Arrays;
import java.util.List;

/**
 * Standard errors of the free parameters of a likelihood fit. The Hessian H of the total negative
 * log-likelihood in θ comes from central differences of its exact gradient
 * (H_ij ≈ [g_j(θ + h_i e_i) − g_j(θ − h_i e_i)] / 2h_i, h_i = step · max(1, |θ_i|), 2p evaluations,
 * symmetrised; all 2p in one call when the objective evaluates {@link Points}). {@link Kind#OIM}: Cov(θ̂) =
 * H⁻¹ (the observed information). {@link Kind#ROBUST}: the cluster sandwich Cov(θ̂) = H⁻¹ (Σ_i s_i s_iᵀ) H⁻¹
 * with s_i the exact gradient of trajectory i's negative log-likelihood at θ̂, the trajectories being the
 * independent clusters (valid when the model is misspecified within a trajectory: heavy tails, heteroscedastic
 * or dependent noise); the scores are summed in the same call as the 2p gradients ({@link ScoredPoints}).
 * Either is carried to natural units by the delta method, Cov(φ̂) = J Cov(θ̂) Jᵀ with J = dφ/dθ
 * ({@link Parameterization#naturalJacobian}). A Hessian that is not positive definite (not at a minimum, or
 * parameters the data cannot identify) is reported, not inverted. The objective must be the negative
 * log-likelihood summed over all trajectories.
 */
public final class StandardErrors {
  private StandardErrors() {}

  /**
   * An objective that evaluates several points at once (the distributed objective does it in one pass over
   * the data); {@link #compute} then asks for all 2p points of the Hessian in one call.
   */
  public interface Points {
    /** The loss and gradient at each point, in order. */
    Evaluation[] evaluateAll(double[][] thetas);
  }

  /** Which covariance: the inverse observed information, or the cluster (per-trajectory) sandwich. */
  public enum Kind {
    OIM("oim"),
    ROBUST("robust");

    private final String key;

    Kind(String key) {
      this.key = key;
    }

    /** The name on the command line ({@code fit --standard-errors}) and in report.json. */
    public String key() {
      return key;
    }

    /** The kind named {@code key}, or null. */
    public static Kind of(String key) {
      for (Kind k : values()) {
        if (k.key.equals(key)) return k;
      }
      return null;
    }
  }

  /**
   * An objective that also sums the outer products of per-trajectory gradients (scores) at one of the points,
   * in the same pass as the gradients ({@link LossAccumulator#withScores}).
   */
  public interface ScoredPoints extends Points {
    /** As {@link Points#evaluateAll}, plus Σ_i s_i s_iᵀ (p×p) over the trajectories at {@code thetas[scored]}. */
    Scored evaluateAll(double[][] thetas, int scored);
  }

  /** The evaluations at every point and the summed score outer products at the scored point. */
  public record Scored(Evaluation[] evaluations, double[][] scoreOuterProducts) {}

  /**
   * The result: names and values in θ and natural units, their standard errors (NaN when the
   * information is not positive definite), the θ covariance, and a message saying what went wrong.
   */
  public record Result(boolean ok, String message, List<String> names, double[] theta, double[] thetaStandardErrors,
      double[][] covariance, List<String> naturalNames, double[] natural, double[] naturalStandardErrors,
      double[][] hessian, Kind kind) {}

  /** With the default relative step 1e-5 (about the cube root of the rounding error of the gradient). */
  public static Result compute(Objective negativeLogLikelihood, Parameterization param, double[] theta) {
    return compute(negativeLogLikelihood, param, theta, 1e-5);
  }

  public static Result compute(Objective negativeLogLikelihood, Parameterization param, double[] theta, double step) {
    return compute(negativeLogLikelihood, param, theta, step, Kind.OIM);
  }

  /** The given kind with the default relative step 1e-5. */
  public static Result compute(Objective negativeLogLikelihood, Parameterization param, double[] theta, Kind kind) {
    return compute(negativeLogLikelihood, param, theta, 1e-5, kind);
  }

  /**
   * @throws IllegalArgumentException for {@link Kind#ROBUST} with an objective that cannot sum per-trajectory
   *     scores (not a {@link ScoredPoints})
   */
  public static Result compute(Objective negativeLogLikelihood, Parameterization param, double[] theta, double step,
      Kind kind) {
    int p = theta.length;
    boolean robust = kind == Kind.ROBUST;
    if (robust && !(negativeLogLikelihood instanceof ScoredPoints)) {
      throw new IllegalArgumentException("robust standard errors need an objective that sums per-trajectory scores");
    }
    double[][] points = new double[robust ? 2 * p + 1 : 2 * p][];
    for (int i = 0; i < p; i++) {
      double h = step * Math.max(1.0, Math.abs(theta[i]));
      points[2 * i] = theta.clone();
      points[2 * i][i] = theta[i] + h;
      points[2 * i + 1] = theta.clone();
      points[2 * i + 1][i] = theta[i] - h;
    }
    if (robust) points[2 * p] = theta.clone();
    double[][] gradients = new double[2 * p][];
    double[][] meat = null;
    if (robust) {
      Scored scored = ((ScoredPoints) negativeLogLikelihood).evaluateAll(points, 2 * p);
      for (int k = 0; k < 2 * p; k++) gradients[k] = scored.evaluations()[k].gradient();
      meat = scored.scoreOuterProducts();
    } else if (negativeLogLikelihood instanceof Points batch) {
      Evaluation[] all = batch.evaluateAll(points);
      for (int k = 0; k < 2 * p; k++) gradients[k] = all[k].gradient();
    } else {
      for (int k = 0; k < 2 * p; k++) gradients[k] = negativeLogLikelihood.evaluate(points[k]).gradient();
    }
    double[][] hessian = new double[p][p];
    for (int i = 0; i < p; i++) {
      double h = step * Math.max(1.0, Math.abs(theta[i]));
      double[] plus = gradients[2 * i];
      double[] minus = gradients[2 * i + 1];
      for (int j = 0; j < p; j++) hessian[i][j] = (plus[j] - minus[j]) / (2.0 * h);
    }
    double[] flat = new double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) flat[i * p + j] = 0.5 * (hessian[i][j] + hessian[j][i]);
    }
    double[] natural = param.natural(theta);
    double[] nan = new double[p];
    Arrays.fill(nan, Double.NaN);
    double[] natNan = new double[natural.length];
    Arrays.fill(natNan, Double.NaN);
    for (double v : flat) {
      if (!Double.isFinite(v)) {
        return new Result(false, "the Hessian has non-finite entries (the loss is not finite near θ)", param.names(),
            theta.clone(), nan, null, param.naturalNames(), natural, natNan, hessian, kind);
      }
    }
    double[] factor = flat.clone();
    if (!Cholesky.decompose(factor, 0, p)) {
      return new Result(false, "the observed information (Hessian of the negative log-likelihood) is not positive"
          + " definite: θ is not at a minimum, or some free parameters are not identified by the data", param.names(),
          theta.clone(), nan, null, param.naturalNames(), natural, natNan, hessian, kind);
    }
    double[] inv = new double[p * p];
    for (int i = 0; i < p; i++) inv[i * p + i] = 1.0;
    Cholesky.solve(factor, 0, p, inv, 0, p);
    double[][] cov = new double[p][p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) cov[i][j] = 0.5 * (inv[i * p + j] + inv[j * p + i]);
    }
    if (robust) cov = sandwich(cov, meat);
    double[] se = new double[p];
    for (int i = 0; i < p; i++) se[i] = Math.sqrt(Math.max(0.0, cov[i][i]));
    double[][] jac = param.naturalJacobian(theta);
    double[] natSe = new double[natural.length];
    for (int a = 0; a < natural.length; a++) {
      double v = 0.0;
      for (int i = 0; i < p; i++) {
        if (jac[a][i] == 0.0) continue;
        for (int j = 0; j < p; j++) v += jac[a][i] * cov[i][j] * jac[a][j];
      }
      natSe[a] = Math.sqrt(Math.max(0.0, v));
    }
    return new Result(true, null, param.names(), theta.clone(), se, cov, param.naturalNames(), natural, natSe,
        hessian, kind);
  }

  /** A B A for symmetric A (the bread H⁻¹) and B (the meat Σ s sᵀ), symmetrised. */
  static double[][] sandwich(double[][] a, double[][] b) {
    int p = a.length;
    double[][] ab = new double[p][p];
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < p; k++) {
        if (a[i][k] == 0.0) continue;
        for (int j = 0; j < p; j++) ab[i][j] += a[i][k] * b[k][j];
      }
    }
    double[][] out = new double[p][p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        double v = 0.0;
        for (int k = 0; k < p; k++) v += ab[i][k] * a[k][j];
        out[i][j] = v;
      }
    }
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        double v = 0.5 * (out[i][j] + out[j][i]);
        out[i][j] = v;
        out[j][i] = v;
      }
    }
    return out;
  }
}
