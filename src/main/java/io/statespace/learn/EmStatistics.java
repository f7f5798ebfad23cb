package io.statespace.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected complete-data sufficient statistics of the linear family summed over trajectories (the EM
 * aggregator's value; Shumway &amp; Stoffer 1982, Ghahramani &amp; Hinton 1996), with augmented regressors
 * z_t = [x_t; u_t; 1] (q = n + p + 1 entries) so that [F B b] and [H D d] are regressions:
 * <pre>
 *   dynamics,  0 <= t < T−1:  Σ E[x_{t+1} z_tᵀ] (n×q),  Σ E[z_t z_tᵀ] (q×q),  Σ E[x_{t+1} x_{t+1}ᵀ] (n×n),  count
 *   emissions, steps with an observed component:  Σ E[y_t z_tᵀ] (m×q),  Σ E[z_t z_tᵀ],  Σ E[y_t y_tᵀ] (m×m),  count
 *   initial:   Σ m_0,  Σ (P_0 + m_0 m_0ᵀ),  trajectories
 * </pre>
 * Missing components of a partly observed y_t are part of the complete data: their expectations given
 * (x_t, y_O) are taken in the E-step ({@link ExpectationEvaluator}). Fully missing steps are left out (their
 * emission factor integrates to one). Also carried: the log-likelihood at the E-step's θ and its gradient
 * in θ by Fisher's identity, for progress reports and the gradient stopping rule.
 *
 * <p>{@link #merge} adds; it is associative and commutative up to rounding, so a tree aggregation equals a
 * local fold. Arrays are public to the package only; the M-step reads them.
 */
public final class EmStatistics implements Serializable {
  private static final long serialVersionUID = 1L;

  final int n;
  final int m;
  final int p;
  final int q;
  final double[] dynXZ;
  final double[] dynZZ;
  final double[] dynXX;
  long transitions;
  final double[] emYZ;
  final double[] emZZ;
  final double[] emYY;
  long emissionSteps;
  final double[] initMean;
  final double[] initSecond;
  long trajectories;
  double logLikelihood;
  final double[] gradient;
  /** A family's own sums ({@link ExpectationMaximization.MomentSums}), added like the rest; empty for the linear family. */
  final double[] extra;
  long gradientFailures;
  long failures;
  String firstFailure;
  /** Smoothed trajectories by engine label ({@link io.statespace.execution.Outcome#engineLabel}: fallbacks labelled). */
  final TreeMap<String, Long> trajectoriesByEngine = new TreeMap<>();

  /**
   * @param dimension p of θ (for the carried gradient)
   */
  public EmStatistics(int stateDim, int obsDim, int inputDim, int dimension) {
    this(stateDim, obsDim, inputDim, dimension, 0);
  }

  /** @param extraSums the length of the family's own sums */
  public EmStatistics(int stateDim, int obsDim, int inputDim, int dimension, int extraSums) {
    n = stateDim;
    m = obsDim;
    p = inputDim;
    q = n + p + 1;
    dynXZ = new double[n * q];
    dynZZ = new double[q * q];
    dynXX = new double[n * n];
    emYZ = new double[m * q];
    emZZ = new double[q * q];
    emYY = new double[m * m];
    initMean = new double[n];
    initSecond = new double[n * n];
    gradient = new double[dimension];
    extra = new double[extraSums];
  }

  /** The zero value for a linear parameterisation's model dimensions and θ. */
  public static EmStatistics zero(LinearParameterization parameterization) {
    var model = parameterization.base();
    return new EmStatistics(model.stateDim(), model.obsDim(), model.inputDim(), parameterization.size());
  }

  /** Adds other into this; returns this. */
  public EmStatistics merge(EmStatistics o) {
    if (o.n != n || o.m != m || o.p != p || o.gradient.length != gradient.length || o.extra.length != extra.length) {
      throw new IllegalArgumentException("cannot merge statistics of different models");
    }
    add(dynXZ, o.dynXZ);
    add(dynZZ, o.dynZZ);
    add(dynXX, o.dynXX);
    add(emYZ, o.emYZ);
    add(emZZ, o.emZZ);
    add(emYY, o.emYY);
    add(initMean, o.initMean);
    add(initSecond, o.initSecond);
    add(gradient, o.gradient);
    add(extra, o.extra);
    transitions += o.transitions;
    emissionSteps += o.emissionSteps;
    trajectories += o.trajectories;
    logLikelihood += o.logLikelihood;
    gradientFailures += o.gradientFailures;
    failures += o.failures;
    if (firstFailure == null) firstFailure = o.firstFailure;
    o.trajectoriesByEngine.forEach((k, v) -> trajectoriesByEngine.merge(k, v, Long::sum));
    return this;
  }

  private static void add(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) a[i] += b[i];
  }

  /** Σ log p(Y | θ) over the trajectories (at the E-step's θ). */
  public double logLikelihood() {
    return logLikelihood;
  }

  public long trajectories() {
    return trajectories;
  }

  /** Trajectories whose smoother failed numerically (the E-step is then unusable). */
  public long failures() {
    return failures;
  }

  public String firstFailure() {
    return firstFailure;
  }

  /** Smoothed trajectories by engine label, e.g. batched, sequential_after_batched_failure. */
  public Map<String, Long> trajectoriesByEngine() {
    return java.util.Collections.unmodifiableMap(trajectoriesByEngine);
  }

  /**
   * The negative log-likelihood and its gradient in θ; the gradient is NaN when Fisher's identity was
   * not available for some trajectory (a singular frozen covariance) or was not asked for.
   */
  public Evaluation evaluation() {
    double[] g = gradient.clone();
    if (gradientFailures > 0) Arrays.fill(g, Double.NaN);
    return new Evaluation(failures > 0 ? Double.POSITIVE_INFINITY : -logLikelihood, g);
  }

  /** Every sum and count as JSON (for EM checkpoints). */
  ObjectNode toJson() {
    ObjectNode node = JsonState.object();
    node.put("n", n);
    node.put("m", m);
    node.put("p", p);
    JsonState.put(node, "dyn_xz", dynXZ);
    JsonState.put(node, "dyn_zz", dynZZ);
    JsonState.put(node, "dyn_xx", dynXX);
    node.put("transitions", transitions);
    JsonState.put(node, "em_yz", emYZ);
    JsonState.put(node, "em_zz", emZZ);
    JsonState.put(node, "em_yy", emYY);
    node.put("emission_steps", emissionSteps);
    JsonState.put(node, "init_mean", initMean);
    JsonState.put(node, "init_second", initSecond);
    node.put("trajectories", trajectories);
    JsonState.put(node, "log_likelihood", logLikelihood);
    JsonState.put(node, "gradient", gradient);
    if (extra.length > 0) JsonState.put(node, "extra", extra);
    node.put("gradient_failures", gradientFailures);
    node.put("failures", failures);
    if (firstFailure != null) node.put("first_failure", firstFailure);
    ObjectNode engines = node.putObject("trajectories_by_engine");
    trajectoriesByEngine.forEach(engines::put);
    return node;
  }

  /** The statistics written by {@link #toJson}. */
  static EmStatistics fromJson(JsonNode node, int dimension) {
    EmStatistics s = new EmStatistics((int) JsonState.getLong(node, "n"), (int) JsonState.getLong(node, "m"),
        (int) JsonState.getLong(node, "p"), dimension, node.has("extra") ? node.get("extra").size() : 0);
    if (node.has("extra")) JsonState.readInto(node, "extra", s.extra);
    JsonState.readInto(node, "dyn_xz", s.dynXZ);
    JsonState.readInto(node, "dyn_zz", s.dynZZ);
    JsonState.readInto(node, "dyn_xx", s.dynXX);
    s.transitions = JsonState.getLong(node, "transitions");
    JsonState.readInto(node, "em_yz", s.emYZ);
    JsonState.readInto(node, "em_zz", s.emZZ);
    JsonState.readInto(node, "em_yy", s.emYY);
    s.emissionSteps = JsonState.getLong(node, "emission_steps");
    JsonState.readInto(node, "init_mean", s.initMean);
    JsonState.readInto(node, "init_second", s.initSecond);
    s.trajectories = JsonState.getLong(node, "trajectories");
    s.logLikelihood = JsonState.getDouble(node, "log_likelihood");
    JsonState.readInto(node, "gradient", s.gradient);
    s.gradientFailures = JsonState.getLong(node, "gradient_failures");
    s.failures = JsonState.getLong(node, "failures");
    s.firstFailure = node.has("first_failure") ? node.get("first_failure").asText() : null;
    if (node.has("trajectories_by_engine")) {
      node.get("trajectories_by_engine").fields()
          .forEachRemaining(e -> s.trajectoriesByEngine.put(e.getKey(), e.getValue().asLong()));
    }
    return s;
  }
}
