package io.statespace.learn;

import io.statespace.data.Trajectory;

/**
 * The chain rule from per-step matrix gradients ({@link StepGradients}) to the gradient in the
 * unconstrained parameter vector θ of a {@link Parameterization}, for one θ. Worker-side scratch: one
 * instance per thread, reused over many trajectories, never serialised. Usage per trajectory:
 * {@code begin(trajectory)}, the loss's backward pass feeds the step gradients, {@code end(grad)}.
 */
public interface GradientChain extends StepGradients {
  /** Starts a trajectory (its time gaps and inputs enter the chain rule) and clears the sums. */
  void begin(Trajectory trajectory);

  /** Adds dL/dθ of everything received since {@link #begin} into {@code gradient} (length p). */
  void end(double[] gradient);
}
