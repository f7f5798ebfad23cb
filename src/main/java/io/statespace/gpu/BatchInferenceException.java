package io.statespace.gpu;

import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import java.util.Map;
import java.util.TreeMap;

/**
 * Some trajectories of a batch failed (e.g. an innovation covariance that is not positive definite)
 * while the others succeeded. It is an {@link InferenceException} naming the first failure, so callers
 * that treat a batch as a whole need nothing new; callers that quarantine per trajectory read
 * {@link #failures()} and take the successful ones from {@link #partial()}.
 */
public final class BatchInferenceException extends InferenceException {
  private static final long serialVersionUID = 1L;

  private final transient Map<Integer, String> failures;
  private final transient Posterior[] partial;

  /**
   * @param failures block index → message of each failed trajectory (at least one)
   * @param partial the block's posteriors, null at the failed indices
   * @param firstId, firstStep, firstWhat the first failure, for the exception message
   */
  public BatchInferenceException(Map<Integer, String> failures, Posterior[] partial, String firstId, int firstStep,
      String firstWhat) {
    super(firstId, firstStep, firstWhat + (failures.size() > 1 ? " (and " + (failures.size() - 1)
        + " more trajectories of the batch failed)" : ""));
    this.failures = new TreeMap<>(failures);
    this.partial = partial;
  }

  /** Block index → message, for each failed trajectory. */
  public Map<Integer, String> failures() {
    return failures;
  }

  /** The posteriors of the batch, null where the trajectory failed. */
  public Posterior[] partial() {
    return partial;
  }
}
