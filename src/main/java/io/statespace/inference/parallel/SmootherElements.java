package io.statespace.inference.parallel;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.Products;
import io.statespace.linalg.SemiDefiniteSolver;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * Builds the smoothing elements s_t = (E, g, L) from the filtered moments (Särkkä &amp; García-Fernández
 * 2021, Lemma 9; notes §1.2). For t ≤ T-2, with F = F_t, c = c_t, Q = Q_t and P^- = F P_t Fᵀ + Q:
 * E = P_t Fᵀ (P^-)⁻¹ (the RTS gain), g = m_t - E (F m_t + c) and L = P_t - E F P_t
 * ({@link SmoothedCovariance}, symmetric by construction). The last element is E = 0, g = m_{T-1}, L = P_{T-1}. A singular P^- (Q = 0 at dt = 0 with
 * a singular P_t) uses its pseudo-inverse ({@link SemiDefiniteSolver}), as {@code RtsSmoother} does.
 */
final class SmootherElements {
  private final SmootherOperator op;
  private final OneStepPrediction prediction;
  private final String id;
  private final int steps;
  private final int n;

  SmootherElements(SmootherOperator op, StepParameters params, String id, int steps) {
    this.op = op;
    this.prediction = new OneStepPrediction(params);
    this.id = id;
    this.steps = steps;
    this.n = params.stateDim();
  }

  Workspace newWorkspace() {
    return new Workspace(n, prediction.newWorkspace());
  }

  /**
   * Writes element t at {@code off}; for t ≤ T-2 also E_tᵀ at gainsT[t × n²] when gainsT is not null (the
   * lag-one cross-covariance needs it after the scan has overwritten E).
   */
  void build(int t, double[] filteredMeans, double[] filteredCovs, double[] out, int off, double[] gainsT,
      Workspace ws) {
    int nn = n * n;
    int oE = off + op.offsetE();
    int oG = off + op.offsetG();
    int oL = off + op.offsetL();
    int mo = t * n;
    int po = t * nn;
    if (t == steps - 1) {
      Arrays.fill(out, oE, oE + nn, 0.0);
      System.arraycopy(filteredMeans, mo, out, oG, n);
      System.arraycopy(filteredCovs, po, out, oL, nn);
      return;
    }
    prediction.predict(t + 1, filteredMeans, filteredCovs, ws.predMean, 0, ws.predCov, 0, ws.prediction);
    // fp = F P; gainT = (P^-)⁻¹ F P = Eᵀ
    Products.mult(ws.prediction.weights, 0, filteredCovs, po, ws.fp, 0, n, n, n);
    System.arraycopy(ws.fp, 0, ws.gainT, 0, nn);
    if (!ws.solver.solve(ws.predCov, 0, ws.gainT, 0)) {
      throw new InferenceException(id, t, "smoother gain is not finite (predicted covariance unusable)");
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) out[oE + i * n + j] = ws.gainT[j * n + i];
    }
    Products.multTransVector(ws.gainT, 0, ws.predMean, 0, out, oG, n, n);
    for (int i = 0; i < n; i++) out[oG + i] = filteredMeans[mo + i] - out[oG + i];
    if (ws.solver.lastCondition() > SemiDefiniteSolver.ILL_CONDITIONED) {
      ws.covariance.futureFreeRobust(ws.gainT, ws.prediction.weights, filteredCovs, po, ws.prediction.procCov, out, oL);
    } else {
      ws.covariance.futureFree(ws.gainT, ws.fp, filteredCovs, po, out, oL);
    }
    if (gainsT != null) System.arraycopy(ws.gainT, 0, gainsT, t * nn, nn);
  }

  /** Scratch space of one worker. */
  static final class Workspace {
    final OneStepPrediction.Workspace prediction;
    final double[] predMean;
    final double[] predCov;
    final double[] fp;
    final SemiDefiniteSolver solver;
    final SmoothedCovariance covariance;
    final double[] gainT;

    Workspace(int n, OneStepPrediction.Workspace prediction) {
      this.prediction = prediction;
      predMean = new double[n];
      predCov = new double[n * n];
      fp = new double[n * n];
      solver = new SemiDefiniteSolver(n);
      covariance = new SmoothedCovariance(n);
      gainT = new double[n * n];
    }
  }
}
