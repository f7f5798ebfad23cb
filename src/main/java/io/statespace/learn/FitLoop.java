package io.statespace.learn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The Spark-free fit loop: starts an {@link Optimizer} (L-BFGS, Adam or EM), iterates until a
 * {@link StopRules} rule fires, reports every iteration to a {@link ProgressListener}, and snapshots its
 * complete state (the optimiser's state, the iteration, the history, the elapsed seconds) as JSON.
 * Restoring a snapshot into a fresh loop with a fresh optimiser of the same kind and continuing gives
 * the same θ, bit for bit, as a run that was never interrupted (given a deterministic objective).
 *
 * <p>Not thread-safe; the listener runs on the loop's thread, between iterations.
 */
public final class FitLoop {
  private static final String FORMAT = "statespace-fit-checkpoint";
  private static final int VERSION = 1;

  private final Optimizer optimizer;
  private final StopRules rules;
  private final ProgressListener listener;
  private final List<HistoryRow> history = new ArrayList<>();
  private int iteration;
  private double secondsBefore;
  private long startNanos;

  public FitLoop(Optimizer optimizer, StopRules rules, ProgressListener listener) {
    this.optimizer = optimizer;
    this.rules = rules;
    this.listener = listener == null ? row -> { } : listener;
  }

  /** Fits from θ0. */
  public FitResult run(double[] theta0) {
    history.clear();
    iteration = 0;
    secondsBefore = 0.0;
    startNanos = System.nanoTime();
    optimizer.start(theta0);
    record(0.0);
    return loop();
  }

  /** Continues a fit from a {@link #snapshot()} (of a loop with an optimiser of the same kind). */
  public FitResult resume(String snapshot) {
    JsonNode root;
    try {
      root = JsonState.MAPPER.readTree(snapshot);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("checkpoint: not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IllegalArgumentException("checkpoint: not a " + FORMAT + " file");
    }
    if (root.path("version").asInt() != VERSION) {
      throw new IllegalArgumentException("checkpoint: version " + root.path("version").asInt() + ", expected " + VERSION);
    }
    String name = root.path("optimizer").asText();
    if (!optimizer.name().equals(name)) {
      throw new IllegalArgumentException("checkpoint: written by optimizer '" + name + "', resuming with '"
          + optimizer.name() + "'");
    }
    optimizer.restoreState(root.get("state"));
    iteration = (int) JsonState.getLong(root, "iteration");
    secondsBefore = JsonState.getDouble(root, "seconds");
    history.clear();
    for (JsonNode row : root.get("history")) {
      history.add(new HistoryRow((int) JsonState.getLong(row, "iteration"), JsonState.getDouble(row, "loss"),
          JsonState.getDouble(row, "gradient_norm"), JsonState.getDouble(row, "step"),
          JsonState.getLong(row, "evaluations"), JsonState.getDouble(row, "seconds"),
          row.has("theta") ? JsonState.getArray(row, "theta") : null));
    }
    startNanos = System.nanoTime();
    return loop();
  }

  private FitResult loop() {
    while (true) {
      StopReason reason = check();
      if (reason != null) return result(reason, null);
      double[] before = optimizer.theta();
      Optimizer.Step step = optimizer.iterate();
      if (!step.progress()) return result(StopReason.NO_PROGRESS, step.note());
      iteration++;
      double[] after = optimizer.theta();
      double s = 0.0;
      for (int i = 0; i < after.length; i++) s += (after[i] - before[i]) * (after[i] - before[i]);
      record(Math.sqrt(s));
    }
  }

  private StopReason check() {
    Evaluation e = optimizer.current();
    double g = e.gradientNorm();
    if (Double.isFinite(g) && g <= rules.gradientTolerance() * Math.max(1.0, Math.abs(e.loss()))) {
      return StopReason.GRADIENT_TOLERANCE;
    }
    if (iteration >= 1 && history.size() >= 2 && rules.relativeLossTolerance() > 0) {
      double f1 = history.get(history.size() - 1).loss();
      double f0 = history.get(history.size() - 2).loss();
      double scale = Math.max(1.0, Math.max(Math.abs(f0), Math.abs(f1)));
      if (Math.abs(f1 - f0) <= rules.relativeLossTolerance() * scale) return StopReason.RELATIVE_LOSS_CHANGE;
    }
    if (iteration >= rules.maxIterations()) return StopReason.ITERATION_LIMIT;
    return null;
  }

  private void record(double step) {
    Evaluation e = optimizer.current();
    HistoryRow row = new HistoryRow(iteration, e.loss(), e.gradientNorm(), step, optimizer.evaluations(), seconds(),
        optimizer.theta());
    history.add(row);
    listener.onIteration(row);
  }

  private double seconds() {
    return secondsBefore + (System.nanoTime() - startNanos) * 1e-9;
  }

  private FitResult result(StopReason reason, String note) {
    Evaluation e = optimizer.current();
    return new FitResult(optimizer.theta(), new Evaluation(e.loss(), e.gradient().clone()), iteration, reason, note,
        List.copyOf(history));
  }

  /** Iterations done so far. */
  public int iteration() {
    return iteration;
  }

  /** The history rows so far (a copy). */
  public List<HistoryRow> history() {
    return List.copyOf(history);
  }

  /** The complete state as JSON text: write it atomically (to a temporary name, then rename). */
  public String snapshot() {
    ObjectNode root = JsonState.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("optimizer", optimizer.name());
    root.put("iteration", iteration);
    JsonState.put(root, "seconds", seconds());
    root.set("state", optimizer.saveState());
    ArrayNode rows = root.putArray("history");
    for (HistoryRow r : history) {
      ObjectNode o = rows.addObject();
      o.put("iteration", r.iteration());
      JsonState.put(o, "loss", r.loss());
      JsonState.put(o, "gradient_norm", r.gradientNorm());
      JsonState.put(o, "step", r.step());
      o.put("evaluations", r.evaluations());
      JsonState.put(o, "seconds", r.seconds());
      if (r.theta() != null) JsonState.put(o, "theta", r.theta());
    }
    try {
      return JsonState.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
