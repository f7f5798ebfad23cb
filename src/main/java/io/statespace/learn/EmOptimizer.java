package io.statespace.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Expectation-maximisation in the {@link FitLoop}'s shape, for any family with an
 * {@link ExpectationMaximization}: each iteration is one M-step ({@link ExpectationMaximization#maximize}) from the statistics of the current point followed by one E-step over
 * the data ({@link ExpectationStep}, a distributed job in the driver) at the new point, so that the
 * reported loss −log p(Y | θ) and gradient (Fisher's identity) belong to the new point, as with the
 * other optimisers. The state is θ and the E-step statistics at θ.
 */
public final class EmOptimizer implements Optimizer {
  private final ExpectationMaximization em;
  private final ExpectationStep expectation;
  private double[] theta;
  private EmStatistics stats;
  private long evaluations;

  /** EM for the linear family. */
  public EmOptimizer(LinearParameterization parameterization, ExpectationStep expectation) {
    this(new LinearExpectationMaximization(parameterization), expectation);
  }

  public EmOptimizer(ExpectationMaximization em, ExpectationStep expectation) {
    this.em = em;
    this.expectation = expectation;
  }

  @Override
  public String name() {
    return "em";
  }

  @Override
  public void start(double[] theta0) {
    theta = theta0.clone();
    stats = checked(expectation.expectation(theta));
    evaluations = 1;
  }

  private static EmStatistics checked(EmStatistics s) {
    if (s.failures() > 0) throw new IllegalStateException("E-step failed: " + s.firstFailure());
    return s;
  }

  @Override
  public Step iterate() {
    double[] nextTheta;
    try {
      nextTheta = em.maximize(theta, stats);
    } catch (IllegalArgumentException e) {
      return Step.stuck("the M-step gave a model outside the parameterisation: " + e.getMessage());
    }
    EmStatistics nextStats = expectation.expectation(nextTheta);
    evaluations++;
    if (nextStats.failures() > 0) return Step.stuck("E-step failed: " + nextStats.firstFailure());
    theta = nextTheta;
    stats = nextStats;
    return Step.moved();
  }

  /** The E-step statistics at the current point. */
  public EmStatistics statistics() {
    return stats;
  }

  @Override
  public double[] theta() {
    return theta.clone();
  }

  @Override
  public Evaluation current() {
    return stats.evaluation();
  }

  @Override
  public long evaluations() {
    return evaluations;
  }

  @Override
  public ObjectNode saveState() {
    ObjectNode node = JsonState.object();
    JsonState.put(node, "theta", theta);
    node.set("statistics", stats.toJson());
    node.put("evaluations", evaluations);
    return node;
  }

  @Override
  public void restoreState(JsonNode node) {
    theta = JsonState.getArray(node, "theta");
    stats = EmStatistics.fromJson(node.get("statistics"), em.parameterization().size());
    evaluations = JsonState.getLong(node, "evaluations");
  }
}
