package io.statespace.learn;

import io.statespace.learn.LinearParameterization.Block;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Symmetric;
import io.statespace.model.LinearModel;

/**
 * EM's closed-form M-step for the linear family (Shumway &amp; Stoffer 1982; dynamax's augmented-regressor
 * form), restricted to the free blocks of a {@link LinearParameterization}:
 * <pre>
 *   W = [F B b] (dynamics) or [H D d] (emissions), regressors z = [x; u; 1], free columns f, frozen r:
 *   W_f = (S_xz[:, f] − W_r S_zz[r, f]) S_zz[f, f]⁻¹          (regress the frozen part's residual)
 *   Q or R = (S_xx − W S_xzᵀ − S_xz Wᵀ + W S_zz Wᵀ) / count   (if free; with the updated W)
 *   mu0 = Σ m_0 / N,  Sigma0 = (Σ E[x_0 x_0ᵀ] − mu0 Σ m_0ᵀ − Σ m_0 mu0ᵀ + N mu0 mu0ᵀ) / N
 * </pre>
 * Every row of W shares the regressors, so the least-squares W is optimal whatever the noise covariance
 * (frozen or not), and the covariance is then optimal given W: each M-step maximises the expected
 * complete-data log-likelihood over the free blocks, which is what makes EM monotone. The regressor
 * second moment is solved by Cholesky; a singular one (an input that never varies next to a free bias,
 * say) is an error naming the block.
 */
public final class MaximizationStep {
  private MaximizationStep() {}

  /** The model maximising the expected complete-data log-likelihood given the statistics. */
  public static LinearModel apply(LinearParameterization param, LinearModel current, EmStatistics s) {
    int n = current.stateDim();
    int m = current.obsDim();
    int p = current.inputDim();
    if (s.n != n || s.m != m || s.p != p) throw new IllegalArgumentException("statistics of a different model");
    if (s.failures > 0) throw new IllegalStateException("E-step failed: " + s.firstFailure);
    int q = s.q;

    double[] mu0 = current.initialMean();
    double[] sigma0 = current.initialCov();
    if (param.isFree(Block.INITIAL_MEAN)) {
      for (int i = 0; i < n; i++) mu0[i] = s.initMean[i] / s.trajectories;
    }
    if (param.isFree(Block.INITIAL_COV)) {
      double count = s.trajectories;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          sigma0[i * n + j] = (s.initSecond[i * n + j] - mu0[i] * s.initMean[j] - s.initMean[i] * mu0[j]
              + count * mu0[i] * mu0[j]) / count;
        }
      }
      symmetrize(sigma0, n);
    }

    double[] wd = augmented(current.dynamicsWeights(), current.dynamicsInputWeights(), current.dynamicsBias(), n, p);
    boolean[] freeD = freeColumns(n, p, param.isFree(Block.DYNAMICS_WEIGHTS),
        param.isFree(Block.DYNAMICS_INPUT_WEIGHTS), param.isFree(Block.DYNAMICS_BIAS));
    regress("dynamics", wd, n, q, freeD, s.dynXZ, s.dynZZ);
    double[] qc = current.dynamicsCov();
    if (param.isFree(Block.DYNAMICS_COV)) qc = residualCovariance(wd, n, q, s.dynXZ, s.dynZZ, s.dynXX, s.transitions);

    double[] we = augmented(current.emissionsWeights(), current.emissionsInputWeights(), current.emissionsBias(), m, p);
    boolean[] freeE = freeColumns(n, p, param.isFree(Block.EMISSIONS_WEIGHTS),
        param.isFree(Block.EMISSIONS_INPUT_WEIGHTS), param.isFree(Block.EMISSIONS_BIAS));
    regress("emissions", we, m, q, freeE, s.emYZ, s.emZZ);
    double[] rc = current.emissionsCov();
    if (param.isFree(Block.EMISSIONS_COV)) rc = residualCovariance(we, m, q, s.emYZ, s.emZZ, s.emYY, s.emissionSteps);

    return new LinearModel(n, m, p, mu0, sigma0,
        columns(wd, n, q, 0, n), columns(wd, n, q, n + p, 1), p == 0 ? null : columns(wd, n, q, n, p), qc,
        columns(we, m, q, 0, n), columns(we, m, q, n + p, 1), p == 0 ? null : columns(we, m, q, n, p), rc);
  }

  /** [A B c] as one rows×(n+p+1) matrix. */
  private static double[] augmented(double[] a, double[] b, double[] c, int rows, int p) {
    int n = a.length / rows;
    int q = n + p + 1;
    double[] w = new double[rows * q];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(a, i * n, w, i * q, n);
      System.arraycopy(b, i * p, w, i * q + n, p);
      w[i * q + n + p] = c[i];
    }
    return w;
  }

  private static double[] columns(double[] w, int rows, int q, int from, int count) {
    double[] out = new double[rows * count];
    for (int i = 0; i < rows; i++) System.arraycopy(w, i * q + from, out, i * count, count);
    return out;
  }

  private static boolean[] freeColumns(int n, int p, boolean weights, boolean inputs, boolean bias) {
    boolean[] free = new boolean[n + p + 1];
    for (int j = 0; j < n; j++) free[j] = weights;
    for (int j = 0; j < p; j++) free[n + j] = inputs;
    free[n + p] = bias;
    return free;
  }

  /** W_f = (S_xz[:, f] − W_r S_zz[r, f]) S_zz[f, f]⁻¹, in place. */
  private static void regress(String block, double[] w, int rows, int q, boolean[] free, double[] sxz, double[] szz) {
    int[] f = indices(free, true);
    int[] r = indices(free, false);
    int k = f.length;
    if (k == 0) return;
    // rhs (k×rows) = (S_xz[:, f] − W_r S_zz[r, f])ᵀ ; A = S_zz[f, f]
    double[] rhs = new double[k * rows];
    for (int a = 0; a < k; a++) {
      for (int i = 0; i < rows; i++) {
        double v = sxz[i * q + f[a]];
        for (int c : r) v -= w[i * q + c] * szz[c * q + f[a]];
        rhs[a * rows + i] = v;
      }
    }
    double[] a = new double[k * k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) a[i * k + j] = szz[f[i] * q + f[j]];
    }
    if (!Cholesky.decompose(a, 0, k)) {
      throw new IllegalStateException(block + ": the free regressors' second moment is singular (a free bias with"
          + " an input that never varies, an input that is always zero, or too little data); freeze a block");
    }
    Cholesky.solve(a, 0, k, rhs, 0, rows);
    for (int aa = 0; aa < k; aa++) {
      for (int i = 0; i < rows; i++) w[i * q + f[aa]] = rhs[aa * rows + i];
    }
  }

  private static int[] indices(boolean[] mask, boolean value) {
    int count = 0;
    for (boolean b : mask) {
      if (b == value) count++;
    }
    int[] out = new int[count];
    int c = 0;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] == value) out[c++] = i;
    }
    return out;
  }

  /** (S_xx − W S_xzᵀ − S_xz Wᵀ + W S_zz Wᵀ) / count, symmetrised. */
  private static double[] residualCovariance(double[] w, int rows, int q, double[] sxz, double[] szz, double[] sxx,
      long count) {
    if (count == 0) throw new IllegalStateException("no data to estimate a noise covariance from");
    double[] wz = new double[rows * q];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < q; j++) {
        double v = 0.0;
        for (int l = 0; l < q; l++) v += w[i * q + l] * szz[l * q + j];
        wz[i * q + j] = v;
      }
    }
    double[] cov = new double[rows * rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        double v = sxx[i * rows + j];
        for (int l = 0; l < q; l++) {
          v += -w[i * q + l] * sxz[j * q + l] - sxz[i * q + l] * w[j * q + l] + wz[i * q + l] * w[j * q + l];
        }
        cov[i * rows + j] = v / count;
      }
    }
    symmetrize(cov, rows);
    return cov;
  }

  private static void symmetrize(double[] a, int k) {
    Symmetric.symmetrize(a, 0, k);
  }
}
