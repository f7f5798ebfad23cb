package io.statespace.model;

/**
 * The model's parameters resolved at each step of one trajectory (dynamax's ParamsLGSSM, made per-step):
 * <pre>
 *   x_0 ~ N(mu0, Sigma0)
 *   x_{t+1} = F_t x_t + c_t + w_t,  w_t ~ N(0, Q_t)     0 <= t < T-1   (c_t = b + B u_t)
 *   y_t     = H_t x_t + e_t + v_t,  v_t ~ N(0, R_t)     0 <= t < T     (e_t = d + D u_t)
 * </pre>
 * Matrices are written row-major into caller-owned arrays. Implementations must be safe to call from
 * several threads at once (the parallel engines build elements concurrently).
 */
public interface StepParameters {
  int stateDim();

  int obsDim();

  /** Writes mu0 (n) and Sigma0 (n×n). */
  void initial(double[] mean, double[] cov);

  /** Writes F_t (n×n), c_t (n) and Q_t (n×n) of the transition t -> t+1. */
  void dynamics(int t, double[] weights, double[] bias, double[] cov);

  /** Writes H_t (m×n), e_t (m) and R_t (m×m) of the observation at step t. */
  void emissions(int t, double[] weights, double[] bias, double[] cov);

  /** True when every step has the same dynamics and emissions, so engines may resolve them once. */
  default boolean timeInvariant() {
    return false;
  }
}
