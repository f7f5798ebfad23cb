package io.statespace.simulate;

/** One generated trajectory: times, observations (NaN = missing), inputs and the true states. */
public final class SimulatedTrajectory {
  public final String id;
  public final double[] times;
  public final double[] observations;
  public final double[] inputs;
  public final double[] states;

  public SimulatedTrajectory(String id, double[] times, double[] observations, double[] inputs, double[] states) {
    this.id = id;
    this.times = times;
    this.observations = observations;
    this.inputs = inputs;
    this.states = states;
  }
}
