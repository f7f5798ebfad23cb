package io.statespace.spark;

import io.statespace.learn.Evaluation;
import io.statespace.learn.Objective;
import java.util.List;
import java.util.function.Consumer;

/**
 * An objective that says how far a phase of many evaluations has got: before each evaluation it reports
 * "phase: gradient k of n (parameter i of p: name)", in the job log and as the Spark job description. The
 * standard errors take two gradients per free parameter (central differences), so a fit with many parameters
 * over a large archive shows its progress there instead of going quiet.
 */
final class CountedObjective implements Objective {
  private final Objective inner;
  private final String phase;
  private final List<String> names;
  private final Consumer<String> report;
  private int evaluations;

  /**
   * @param names the free parameters in θ order; evaluation 2i and 2i+1 belong to parameter i
   * @param report where each line goes (the log and the job description)
   */
  CountedObjective(Objective inner, String phase, List<String> names, Consumer<String> report) {
    this.inner = inner;
    this.phase = phase;
    this.names = List.copyOf(names);
    this.report = report;
  }

  @Override
  public Evaluation evaluate(double[] theta) {
    int k = evaluations++;
    int parameter = Math.min(k / 2, names.size() - 1);
    report.accept(phase + ": gradient " + (k + 1) + " of " + 2 * names.size() + " (parameter " + (parameter + 1) + " of "
        + names.size() + ": " + names.get(parameter) + ")");
    return inner.evaluate(theta);
  }

  /** Evaluations so far. */
  int evaluations() {
    return evaluations;
  }
}
