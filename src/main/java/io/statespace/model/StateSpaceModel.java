package io.statespace.model;

import io.statespace.data.Trajectory;
import java.io.Serializable;

/**
 * A linear-Gaussian state-space model: immutable parameters that resolve to per-step matrices for a
 * given trajectory (its time gaps and inputs). Families (explicit linear, constant velocity, ...)
 * implement this; the engines see only {@link StepParameters}.
 */
public interface StateSpaceModel extends Serializable {
  int stateDim();

  int obsDim();

  /** Number of input (control) columns u_t; 0 when the model has none. */
  int inputDim();

  /** Binds the parameters to one trajectory's time gaps and inputs. */
  StepParameters bind(Trajectory trajectory);

  /** True when the transition depends on the gaps between the trajectory's times. */
  default boolean usesTimeGaps() {
    return false;
  }

  /** The structure the batched and GPU engines exploit; {@link StepForm.PerStep} when there is none. */
  default StepForm stepForm() {
    return new StepForm.PerStep();
  }
}
