package io.statespace.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Limited-memory BFGS (Nocedal &amp; Wright 2006, Algorithm 7.5): the two-loop recursion over the last
 * {@code memory} pairs (s, y) with H0 = (sᵀy / yᵀy) I, and a strong Wolfe line search
 * ({@link WolfeLineSearch}), first trial α = 1 (α = 1/‖g‖₂, at most 1, while the memory is empty). A pair
 * is stored only when sᵀy > 1e-10 ‖s‖ ‖y‖ (the curvature condition; the strong Wolfe step guarantees it
 * unless the search fell back to sufficient decrease only). When the search fails along the
 * quasi-Newton direction the memory is dropped and steepest descent tried; if that fails too the
 * iteration reports no progress. Always evaluates the epoch-0 (fixed) objective.
 */
public final class Lbfgs implements Optimizer {
  private final Objective objective;
  private final int memory;
  private final WolfeLineSearch lineSearch;
  private final Deque<double[]> sHistory = new ArrayDeque<>();
  private final Deque<double[]> yHistory = new ArrayDeque<>();
  private double[] theta;
  private Evaluation current;
  private long evaluations;

  /**
   * @param memory stored pairs (5–20 is usual)
   * @param maxLineSearchEvaluations evaluations per line search (each possibly a distributed job)
   */
  public Lbfgs(Objective objective, int memory, int maxLineSearchEvaluations) {
    if (memory < 1) throw new IllegalArgumentException("memory must be at least 1");
    this.objective = objective;
    this.memory = memory;
    this.lineSearch = new WolfeLineSearch(maxLineSearchEvaluations);
  }

  /** Memory 10, at most 20 evaluations per line search. */
  public Lbfgs(Objective objective) {
    this(objective, 10, 20);
  }

  @Override
  public String name() {
    return "lbfgs";
  }

  @Override
  public void start(double[] theta0) {
    theta = theta0.clone();
    current = objective.evaluate(theta);
    evaluations = 1;
    sHistory.clear();
    yHistory.clear();
    if (!current.isFinite()) {
      throw new IllegalArgumentException("the loss is not finite at the starting point: " + current.loss());
    }
  }

  @Override
  public Step iterate() {
    double[] g = current.gradient();
    double[] d = direction(g);
    boolean quasiNewton = !sHistory.isEmpty();
    if (WolfeLineSearch.dot(d, g) >= 0) {
      clearMemory();
      d = negate(g);
      quasiNewton = false;
    }
    WolfeLineSearch.Result r = lineSearch.search(objective, theta, current.loss(), g, d, firstStep(g, quasiNewton));
    evaluations += r.evaluations();
    if (!r.ok() && quasiNewton) {
      clearMemory();
      d = negate(g);
      r = lineSearch.search(objective, theta, current.loss(), g, d, firstStep(g, false));
      evaluations += r.evaluations();
    }
    if (!r.ok()) return Step.stuck("line search found no decrease along steepest descent");
    double[] s = new double[theta.length];
    double[] y = new double[theta.length];
    double[] gNew = r.evaluation().gradient();
    for (int i = 0; i < s.length; i++) {
      s[i] = r.x()[i] - theta[i];
      y[i] = gNew[i] - g[i];
    }
    double sy = WolfeLineSearch.dot(s, y);
    if (sy > 1e-10 * Math.sqrt(WolfeLineSearch.dot(s, s) * WolfeLineSearch.dot(y, y))) {
      sHistory.addLast(s);
      yHistory.addLast(y);
      if (sHistory.size() > memory) {
        sHistory.removeFirst();
        yHistory.removeFirst();
      }
    }
    theta = r.x().clone();
    current = r.evaluation();
    return Step.moved();
  }

  private double firstStep(double[] g, boolean quasiNewton) {
    if (quasiNewton) return 1.0;
    return Math.min(1.0, 1.0 / Math.sqrt(WolfeLineSearch.dot(g, g)));
  }

  private void clearMemory() {
    sHistory.clear();
    yHistory.clear();
  }

  private static double[] negate(double[] g) {
    double[] d = new double[g.length];
    for (int i = 0; i < g.length; i++) d[i] = -g[i];
    return d;
  }

  /** d = −H g by the two-loop recursion. */
  private double[] direction(double[] g) {
    double[] q = g.clone();
    int k = sHistory.size();
    double[][] s = sHistory.toArray(new double[0][]);
    double[][] y = yHistory.toArray(new double[0][]);
    double[] alpha = new double[k];
    double[] rho = new double[k];
    for (int i = k - 1; i >= 0; i--) {
      rho[i] = 1.0 / WolfeLineSearch.dot(y[i], s[i]);
      alpha[i] = rho[i] * WolfeLineSearch.dot(s[i], q);
      for (int j = 0; j < q.length; j++) q[j] -= alpha[i] * y[i][j];
    }
    if (k > 0) {
      double gamma = WolfeLineSearch.dot(s[k - 1], y[k - 1]) / WolfeLineSearch.dot(y[k - 1], y[k - 1]);
      for (int j = 0; j < q.length; j++) q[j] *= gamma;
    }
    for (int i = 0; i < k; i++) {
      double beta = rho[i] * WolfeLineSearch.dot(y[i], q);
      for (int j = 0; j < q.length; j++) q[j] += s[i][j] * (alpha[i] - beta);
    }
    for (int j = 0; j < q.length; j++) q[j] = -q[j];
    return q;
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
    node.put("memory", memory);
    JsonState.put(node, "theta", theta);
    JsonState.put(node, "loss", current.loss());
    JsonState.put(node, "gradient", current.gradient());
    node.put("evaluations", evaluations);
    ArrayNode pairs = node.putArray("pairs");
    double[][] s = sHistory.toArray(new double[0][]);
    double[][] y = yHistory.toArray(new double[0][]);
    for (int i = 0; i < s.length; i++) {
      ObjectNode pair = pairs.addObject();
      JsonState.put(pair, "s", s[i]);
      JsonState.put(pair, "y", y[i]);
    }
    return node;
  }

  @Override
  public void restoreState(JsonNode node) {
    theta = JsonState.getArray(node, "theta");
    current = new Evaluation(JsonState.getDouble(node, "loss"), JsonState.getArray(node, "gradient"));
    evaluations = JsonState.getLong(node, "evaluations");
    clearMemory();
    List<JsonNode> pairs = new ArrayList<>();
    node.get("pairs").forEach(pairs::add);
    for (JsonNode pair : pairs) {
      sHistory.addLast(JsonState.getArray(pair, "s"));
      yHistory.addLast(JsonState.getArray(pair, "y"));
    }
  }
}
