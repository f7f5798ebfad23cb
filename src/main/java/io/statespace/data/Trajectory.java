package io.statespace.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * One observed sequence: non-decreasing times t_0..t_{T-1}, observations y_t (NaN marks a missing
 * component) and optional inputs u_t, all stored row-major in flat arrays. Immutable by convention: the
 * arrays are shared, not copied.
 */
public final class Trajectory implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final double[] times;
  private final double[] observations;
  private final double[] inputs;
  private final int obsDim;
  private final int inputDim;

  /**
   * @param observations T×obsDim, NaN for missing components
   * @param inputs T×inputDim, or null when the model has no inputs
   */
  public Trajectory(String id, double[] times, double[] observations, int obsDim, double[] inputs, int inputDim) {
    this.id = Objects.requireNonNull(id, "id");
    this.times = Objects.requireNonNull(times, "times");
    this.observations = Objects.requireNonNull(observations, "observations");
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    this.inputs = inputDim == 0 ? null : Objects.requireNonNull(inputs, "inputs");
    int steps = times.length;
    if (observations.length != steps * obsDim) {
      throw new IllegalArgumentException("trajectory '" + id + "': " + observations.length
          + " observation values for " + steps + " steps of dimension " + obsDim);
    }
    if (inputDim > 0 && inputs.length != steps * inputDim) {
      throw new IllegalArgumentException("trajectory '" + id + "': " + inputs.length
          + " input values for " + steps + " steps of dimension " + inputDim);
    }
  }

  /** A trajectory without inputs. */
  public Trajectory(String id, double[] times, double[] observations, int obsDim) {
    this(id, times, observations, obsDim, null, 0);
  }

  public String id() {
    return id;
  }

  public int length() {
    return times.length;
  }

  public int obsDim() {
    return obsDim;
  }

  public int inputDim() {
    return inputDim;
  }

  /** Times, not copied. */
  public double[] times() {
    return times;
  }

  /** Observations T×obsDim row-major, NaN = missing; not copied. */
  public double[] observations() {
    return observations;
  }

  /** Inputs T×inputDim row-major, or null; not copied. */
  public double[] inputs() {
    return inputs;
  }

  /** Time gap t -> t+1. */
  public double dt(int t) {
    return times[t + 1] - times[t];
  }

  /** Number of steps with at least one missing component. */
  public int missingSteps() {
    int count = 0;
    for (int t = 0; t < length(); t++) {
      for (int i = 0; i < obsDim; i++) {
        if (Double.isNaN(observations[t * obsDim + i])) {
          count++;
          break;
        }
      }
    }
    return count;
  }

  /** Number of missing observation components over all steps. */
  public int missingValues() {
    int count = 0;
    for (double v : observations) {
      if (Double.isNaN(v)) count++;
    }
    return count;
  }
}
