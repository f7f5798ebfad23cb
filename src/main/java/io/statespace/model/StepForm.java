package io.statespace.model;

/**
 * What a model's per-step parameters share across steps and trajectories, declared by the model's family so
 * that the batched engine keeps the shared parts as lane-wide constants and the GPU kernels know whether
 * they can run the model. Every form is exact: the engines that do not exploit it read
 * {@link StateSpaceModel#bind} step by step.
 */
public sealed interface StepForm permits StepForm.Constant, StepForm.TimeGaps, StepForm.PerStep {
  /**
   * F, b, Q, H, d, R, μ0 and Σ0 constant, plus the input terms B u_t and D u_t: the model written out as an
   * explicit linear model (the same step parameters for every trajectory).
   */
  record Constant(LinearModel linear) implements StepForm {}

  /**
   * F_t and Q_t depend on the step's time gap dt_t = time[t+1] - time[t] through a few scalar terms,
   * everything else is constant and there are no inputs.
   *
   * @param atUnitGap the model at dt = 1: μ0, Σ0, b, H, d, R, and every entry of F and Q that has no term
   * @param terms writes the terms for one dt ({@code termCount} values)
   * @param weightTerm per row-major entry of F: the index of the term it equals, or -1 (constant)
   * @param covTerm per row-major entry of Q: the index of the term it equals, or -1 (constant)
   * @param axisKinematics non-null when F and Q are the per-axis constant-velocity forms of
   *     {@link ConstantVelocityModel#transition} that the GPU kernels build on the device: {0 for
   *     continuous or 1 for piecewise noise, the noise level}
   */
  record TimeGaps(LinearModel atUnitGap, int termCount, GapTerms terms, int[] weightTerm, int[] covTerm,
      double[] axisKinematics) implements StepForm {}

  /** No shared structure the engines exploit: each trajectory's parameters are read step by step. */
  record PerStep() implements StepForm {}

  /** The scalar terms of F(dt) and Q(dt), written straight into the batched engine's lane arrays. */
  @FunctionalInterface
  interface GapTerms {
    /** Writes term k for a step of length dt into {@code out[k][lane]}. */
    void evaluate(double dt, double[][] out, int lane);
  }
}
