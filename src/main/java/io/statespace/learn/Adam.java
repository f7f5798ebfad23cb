package io.statespace.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1): m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
 * θ ← θ − lr m̂ / (√v̂ + ε) with the bias corrections m̂ = m / (1 − β1^k), v̂ = v / (1 − β2^k). One
 * evaluation per iteration; iteration k evaluates the objective with the epoch-k dropout masks, so each
 * step sees fresh masks (the start point uses epoch 0). A non-finite loss stops the run.
 */
public final class Adam implements Optimizer {
  private final Objective objective;
  private final double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private double[] theta;
  private double[] m;
  private double[] v;
  private long step;
  private Evaluation current;
  private long evaluations;

  public Adam(Objective objective, double learningRate, double beta1, double beta2, double epsilon) {
    if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive");
    this.objective = objective;
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  /** β1 = 0.9, β2 = 0.999, ε = 1e-8. */
  public Adam(Objective objective, double learningRate) {
    this(objective, learningRate, 0.9, 0.999, 1e-8);
  }

  @Override
  public String name() {
    return "adam";
  }

  @Override
  public void start(double[] theta0) {
    theta = theta0.clone();
    m = new double[theta.length];
    v = new double[theta.length];
    step = 0;
    current = objective.evaluate(theta, 0L);
    evaluations = 1;
    if (!current.isFinite()) {
      throw new IllegalArgumentException("the loss is not finite at the starting point: " + current.loss());
    }
  }

  @Override
  public Step iterate() {
    double[] g = current.gradient();
    step++;
    double c1 = 1.0 - Math.pow(beta1, step);
    double c2 = 1.0 - Math.pow(beta2, step);
    double[] next = new double[theta.length];
    for (int i = 0; i < theta.length; i++) {
      m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i];
      next[i] = theta[i] - learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon);
    }
    Evaluation e = objective.evaluate(next, step);
    evaluations++;
    if (!e.isFinite()) return Step.stuck("the loss is not finite after step " + step + ": lower the learning rate");
    theta = next;
    current = e;
    return Step.moved();
  }

  @Override
  public double[] theta() {
    return theta.clone();
  }

  @Override
  public Evaluation current() {
    return current;
  }

  @Override
  public long evaluations() {
    return evaluations;
  }

  @Override
  public ObjectNode saveState() {
    ObjectNode node = JsonState.object();
    JsonState.put(node, "learning_rate", learningRate);
    JsonState.put(node, "theta", theta);
    JsonState.put(node, "loss", current.loss());
    JsonState.put(node, "gradient", current.gradient());
    JsonState.put(node, "m", m);
    JsonState.put(node, "v", v);
    node.put("step", step);
    node.put("evaluations", evaluations);
    return node;
  }

  @Override
  public void restoreState(JsonNode node) {
    theta = JsonState.getArray(node, "theta");
    current = new Evaluation(JsonState.getDouble(node, "loss"), JsonState.getArray(node, "gradient"));
    m = JsonState.getArray(node, "m");
    v = JsonState.getArray(node, "v");
    step = JsonState.getLong(node, "step");
    evaluations = JsonState.getLong(node, "evaluations");
  }
}
