package io.statespace.learn;

import java.util.List;

/**
 * The end of a fit: the final θ, its loss and gradient, iterations done, why it stopped (with the
 * optimiser's note for {@link StopReason#NO_PROGRESS}), and the history rows.
 */
public record FitResult(double[] theta, Evaluation evaluation, int iterations, StopReason reason, String note,
    List<HistoryRow> history) {}
