package io.statespace.learn;

/** Why a {@link FitLoop} stopped. */
public enum StopReason {
  /** The scaled gradient norm fell below its tolerance. */
  GRADIENT_TOLERANCE("gradient_tolerance"),
  /** The loss changed by less than its relative tolerance in the last iteration. */
  RELATIVE_LOSS_CHANGE("relative_loss_change"),
  /** The iteration limit was reached. */
  ITERATION_LIMIT("iteration_limit"),
  /** The optimiser could not move (line search failed, non-finite loss, M-step outside the parameterisation). */
  NO_PROGRESS("no_progress");

  private final String key;

  StopReason(String key) {
    this.key = key;
  }

  /** The spelling for reports and checkpoints. */
  public String key() {
    return key;
  }
}
