package io.statespace.model;

import io.statespace.data.Trajectory;
import java.util.Arrays;

/**
 * The explicit {@code linear} family of any dimension: constant F, b, Q, H, d, R with optional input
 * weights B (n×p) and D (m×p), so that c_t = b + B u_t and e_t = d + D u_t. All matrices are row-major
 * copies owned by this object.
 */
public final class LinearModel implements StateSpaceModel {
  private static final long serialVersionUID = 1L;

  private final int n;
  private final int m;
  private final int p;
  private final double[] initialMean;
  private final double[] initialCov;
  private final double[] dynamicsWeights;
  private final double[] dynamicsBias;
  private final double[] dynamicsInputWeights;
  private final double[] dynamicsCov;
  private final double[] emissionsWeights;
  private final double[] emissionsBias;
  private final double[] emissionsInputWeights;
  private final double[] emissionsCov;

  /**
   * Biases and input weights may be null (zero). Shapes are checked; definiteness is the model file
   * validator's job.
   */
  public LinearModel(int stateDim, int obsDim, int inputDim,
      double[] initialMean, double[] initialCov,
      double[] dynamicsWeights, double[] dynamicsBias, double[] dynamicsInputWeights, double[] dynamicsCov,
      double[] emissionsWeights, double[] emissionsBias, double[] emissionsInputWeights, double[] emissionsCov) {
    this.n = stateDim;
    this.m = obsDim;
    this.p = inputDim;
    this.initialMean = copy("initial.mean", initialMean, n);
    this.initialCov = copy("initial.cov", initialCov, n * n);
    this.dynamicsWeights = copy("dynamics.weights", dynamicsWeights, n * n);
    this.dynamicsBias = dynamicsBias == null ? new double[n] : copy("dynamics.bias", dynamicsBias, n);
    this.dynamicsInputWeights = dynamicsInputWeights == null ? new double[n * p]
        : copy("dynamics.input_weights", dynamicsInputWeights, n * p);
    this.dynamicsCov = copy("dynamics.cov", dynamicsCov, n * n);
    this.emissionsWeights = copy("emissions.weights", emissionsWeights, m * n);
    this.emissionsBias = emissionsBias == null ? new double[m] : copy("emissions.bias", emissionsBias, m);
    this.emissionsInputWeights = emissionsInputWeights == null ? new double[m * p]
        : copy("emissions.input_weights", emissionsInputWeights, m * p);
    this.emissionsCov = copy("emissions.cov", emissionsCov, m * m);
  }

  private static double[] copy(String key, double[] values, int expected) {
    if (values == null || values.length != expected) {
      throw new IllegalArgumentException(key + ": expected " + expected + " values, got "
          + (values == null ? "none" : values.length));
    }
    return values.clone();
  }

  @Override
  public int stateDim() {
    return n;
  }

  @Override
  public int obsDim() {
    return m;
  }

  @Override
  public int inputDim() {
    return p;
  }

  public double[] initialMean() {
    return initialMean.clone();
  }

  public double[] initialCov() {
    return initialCov.clone();
  }

  public double[] dynamicsWeights() {
    return dynamicsWeights.clone();
  }

  public double[] dynamicsBias() {
    return dynamicsBias.clone();
  }

  public double[] dynamicsInputWeights() {
    return dynamicsInputWeights.clone();
  }

  public double[] dynamicsCov() {
    return dynamicsCov.clone();
  }

  public double[] emissionsWeights() {
    return emissionsWeights.clone();
  }

  public double[] emissionsBias() {
    return emissionsBias.clone();
  }

  public double[] emissionsInputWeights() {
    return emissionsInputWeights.clone();
  }

  public double[] emissionsCov() {
    return emissionsCov.clone();
  }

  @Override
  public StepParameters bind(Trajectory trajectory) {
    if (trajectory.inputDim() != p) {
      throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has " + trajectory.inputDim()
          + " inputs, the model expects " + p);
    }
    final double[] u = trajectory.inputs();
    return new BoundParameters(n, m, initialMean, initialCov) {
      @Override
      public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
        System.arraycopy(dynamicsWeights, 0, weights, 0, n * n);
        System.arraycopy(dynamicsCov, 0, cov, 0, n * n);
        addInputTerm(dynamicsBias, dynamicsInputWeights, u, t, bias, n);
      }

      @Override
      public void emissions(int t, double[] weights, double[] bias, double[] cov) {
        System.arraycopy(emissionsWeights, 0, weights, 0, m * n);
        System.arraycopy(emissionsCov, 0, cov, 0, m * m);
        addInputTerm(emissionsBias, emissionsInputWeights, u, t, bias, m);
      }

      @Override
      public boolean timeInvariant() {
        return p == 0;
      }
    };
  }

  /** out = bias + W u_t, with W rows×p. */
  private void addInputTerm(double[] bias, double[] w, double[] u, int t, double[] out, int rows) {
    for (int i = 0; i < rows; i++) {
      double s = bias[i];
      for (int j = 0; j < p; j++) s += w[i * p + j] * u[t * p + j];
      out[i] = s;
    }
  }

  /** The explicit linear model is its own constant form. */
  @Override
  public StepForm stepForm() {
    return new StepForm.Constant(this);
  }

  @Override
  public String toString() {
    return "LinearModel(n=" + n + ", m=" + m + ", p=" + p + ", F=" + Arrays.toString(dynamicsWeights) + ")";
  }
}
