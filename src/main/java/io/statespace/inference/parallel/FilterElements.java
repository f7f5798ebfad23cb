package io.statespace.inference.parallel;

import io.statespace.inference.InnovationStep;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * Builds the filtering elements a_k = (A, b, C, eta, J) of one trajectory (Särkkä &amp; García-Fernández
 * 2021, Lemma 7, in dynamax's convention where y_0 observes x_0; notes §1.1). For k ≥ 1, with
 * F = F_{k-1}, c = c_{k-1}, Q = Q_{k-1} and the observed rows H, e, R, y of step k:
 * <pre>
 *   S = H Q Hᵀ + R,  K = Q Hᵀ S⁻¹,  r = y - e - H c
 *   A = (I - K H) F,  b = c + K r,  C = (I - K H) Q (I - K H)ᵀ + K R Kᵀ   (Joseph form)
 *   eta = Fᵀ Hᵀ S⁻¹ r,  J = Fᵀ Hᵀ S⁻¹ H F
 * </pre>
 * The first element is the same formula with F = 0, c = mu0 and Q = Sigma0: A = 0, eta = 0, J = 0 and (b, C)
 * the prior updated with y_0. A partly missing y_k is projected onto its observed rows (H, e, R restricted
 * to them), which is what the sequential filter does; a fully missing one leaves the pure prediction
 * element A = F, b = c, C = Q, eta = 0, J = 0 (notes §1.3). S is factorised by Cholesky, never inverted:
 * with S = L Lᵀ, eta = Vᵀ L⁻¹ r and J = Vᵀ V for V = L⁻¹ H F, so J is semi-definite by construction.
 * (b, C) is the prior (c, Q) conditioned on y_k by the shared {@link InnovationStep}, as in the sequential filter.
 */
final class FilterElements {
  private final FilterOperator op;
  private final StepParameters params;
  private final String id;
  private final double[] y;
  private final int n;
  private final int m;

  FilterElements(FilterOperator op, StepParameters params, String id, double[] observations) {
    this.op = op;
    this.params = params;
    this.id = id;
    this.y = observations;
    this.n = params.stateDim();
    this.m = params.obsDim();
  }

  Workspace newWorkspace() {
    return new Workspace(n, m);
  }

  /** Writes element k at {@code off}. */
  void build(int k, double[] out, int off, Workspace ws) {
    int nn = n * n;
    if (k == 0) {
      params.initial(ws.bias, ws.cov);
      Arrays.fill(ws.weights, 0.0);
    } else {
      params.dynamics(k - 1, ws.weights, ws.bias, ws.cov);
    }
    params.emissions(k, ws.emWeights, ws.emBias, ws.emCov);
    int oA = off + op.offsetA();
    int oB = off + op.offsetB();
    int oC = off + op.offsetC();
    int oEta = off + op.offsetEta();
    int oJ = off + op.offsetJ();
    int obs = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[k * m + i])) obs++;
    }
    if (obs == 0) {
      System.arraycopy(ws.weights, 0, out, oA, nn);
      System.arraycopy(ws.bias, 0, out, oB, n);
      System.arraycopy(ws.cov, 0, out, oC, nn);
      Symmetric.symmetrize(out, oC, n);
      Arrays.fill(out, oEta, oEta + n, 0.0);
      Arrays.fill(out, oJ, oJ + nn, 0.0);
      return;
    }
    // The prior (c, Q) conditioned on y_k: (b, C), and the gain's I - K Ho
    InnovationStep step = ws.step;
    step.innovate(y, k, ws.emWeights, ws.emBias, ws.emCov, ws.bias, 0, ws.cov, 0, id);
    step.update(ws.emCov, ws.bias, 0, ws.cov, 0, out, oB, out, oC);
    Products.mult(step.identityMinusGainH(), 0, ws.weights, 0, out, oA, n, n, n);
    // V = L⁻¹ Ho F, w = L⁻¹ r; eta = Vᵀ w, J = Vᵀ V
    step.whiten();
    Products.mult(step.observedWeights(), 0, ws.weights, 0, ws.hf, 0, obs, n, n);
    Cholesky.solveLower(step.factor(), 0, obs, ws.hf, 0, n);
    Products.multTransVector(ws.hf, 0, step.innovation(), 0, out, oEta, obs, n);
    Products.multTransA(ws.hf, 0, ws.hf, 0, out, oJ, n, obs, n);
    Symmetric.symmetrize(out, oJ, n);
  }

  /** Scratch space of one worker. */
  static final class Workspace {
    final double[] weights;
    final double[] bias;
    final double[] cov;
    final double[] emWeights;
    final double[] emBias;
    final double[] emCov;
    final double[] hf;
    final InnovationStep step;

    Workspace(int n, int m) {
      weights = new double[n * n];
      bias = new double[n];
      cov = new double[n * n];
      emWeights = new double[m * n];
      emBias = new double[m];
      emCov = new double[m * m];
      hf = new double[m * n];
      step = new InnovationStep(n, m);
    }
  }
}
