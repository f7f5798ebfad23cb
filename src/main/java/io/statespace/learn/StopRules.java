package io.statespace.learn;

/**
 * When {@link FitLoop} stops, checked before every iteration in this order:
 * <ol>
 *   <li>gradient: ‖g‖∞ ≤ gradientTolerance · max(1, |loss|) (scaled by the loss so that the rule does not
 *       depend on how many trajectories the negative log-likelihood sums over; skipped when the gradient
 *       is not available, as in EM without Fisher gradients);
 *   <li>relative loss change: |f_k − f_{k−1}| ≤ relativeLossTolerance · max(1, |f_k|, |f_{k−1}|) over the
 *       last iteration (0 disables it: use 0 for Adam with dropout, whose loss is noisy);
 *   <li>the iteration limit.
 * </ol>
 */
public record StopRules(int maxIterations, double gradientTolerance, double relativeLossTolerance) {
  public StopRules {
    if (maxIterations < 0) throw new IllegalArgumentException("maxIterations must not be negative");
    if (!(gradientTolerance >= 0) || !(relativeLossTolerance >= 0)) {
      throw new IllegalArgumentException("tolerances must be non-negative");
    }
  }

  /** 100 iterations, gradient 1e-6, relative change 1e-10. */
  public static StopRules defaults() {
    return new StopRules(100, 1e-6, 1e-10);
  }
}
