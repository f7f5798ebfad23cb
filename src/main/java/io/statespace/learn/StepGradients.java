package io.statespace.learn;

/**
 * Receives the gradient of a loss with respect to the per-step model matrices of one trajectory, in the
 * {@link io.statespace.model.StepParameters} layout: dL/dmu0, dL/dSigma0; dL/dF_t, dL/dc_t, dL/dQ_t of
 * the transition t -> t+1 (0 <= t < T-1); dL/dH_t, dL/de_t, dL/dR_t of the observation at t.
 *
 * <p>Matrix gradients are row-major, G_ij = dL/dA_ij. Covariance gradients are the symmetric ones: for
 * every symmetric perturbation dA, dL = Σ_ij G_ij dA_ij with G = Gᵀ (docs/ARCHITECTURE.md §7.4). Losses call
 * the methods in any order (the adjoint pass goes backwards in time), once per step. The arrays are the
 * caller's scratch space, valid only during the call.
 */
public interface StepGradients {
  /** dL/dmu0 (n) and dL/dSigma0 (n×n, symmetric). */
  void initial(double[] dMean, double[] dCov);

  /** dL/dF_t (n×n), dL/dc_t (n), dL/dQ_t (n×n, symmetric) of the transition t -> t+1. */
  void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov);

  /** dL/dH_t (m×n), dL/de_t (m), dL/dR_t (m×m, symmetric) of the observation at step t. */
  void emissions(int t, double[] dWeights, double[] dBias, double[] dCov);
}
