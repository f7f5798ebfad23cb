package io.statespace.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --max-quarantined-fraction}: the largest share of the input rows a run may send to quarantine and
 * still commit its output. Above it the run writes nothing at the output path and fails with {@link Exceeded}
 * (exit code {@link #EXIT_CODE}), naming the fraction and the most frequent reasons, so that a pipeline stops
 * on an input that is mostly bad instead of publishing a thin result. 1.0 (the default) never refuses.
 *
 * @param maxFraction in [0, 1]
 */
public record QuarantineLimit(double maxFraction) implements Serializable {
  /** The exit code of a run refused by the limit: distinct from 0 (done), 1 (failed) and 2 (refused before work). */
  public static final int EXIT_CODE = 3;
  /** No limit: every run commits, as before the option existed. */
  public static final QuarantineLimit NONE = new QuarantineLimit(1.0);
  /** How many reasons the refusal names, most frequent first. */
  static final int TOP_REASONS = 3;

  public QuarantineLimit {
    if (!(maxFraction >= 0.0 && maxFraction <= 1.0)) {
      throw new IllegalArgumentException("--max-quarantined-fraction: must be between 0 and 1, got " + maxFraction);
    }
  }

  /**
   * Fails when more than {@link #maxFraction} of {@code rowsIn} went to quarantine.
   *
   * @param job the job's name, for the message
   * @throws Exceeded naming the fraction, the limit and the top reasons with their counts
   */
  public void check(String job, long rowsIn, long rowsQuarantined, Map<String, Long> byReason) {
    if (rowsIn <= 0 || rowsQuarantined <= 0) return;
    double fraction = (double) rowsQuarantined / rowsIn;
    if (fraction <= maxFraction) return;
    throw new Exceeded(String.format(Locale.ROOT,
        "%s: %d of %d input rows quarantined (fraction %.4g), above --max-quarantined-fraction %s; nothing written. "
            + "Top reasons: %s", job, rowsQuarantined, rowsIn, fraction, maxFraction, topReasons(byReason)));
  }

  /** "reason count, reason count, ..." for the most frequent reasons (ties by name), e.g. "bad_value 30, null_id 2". */
  static String topReasons(Map<String, Long> byReason) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(byReason.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(TOP_REASONS, entries.size()); i++) {
      sb.append(i == 0 ? "" : ", ").append(entries.get(i).getKey()).append(' ').append(entries.get(i).getValue());
    }
    if (entries.size() > TOP_REASONS) sb.append(", and ").append(entries.size() - TOP_REASONS).append(" more");
    return sb.toString();
  }

  /** The run quarantined more rows than allowed; its output was not committed. */
  public static final class Exceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exceeded(String message) {
      super(message);
    }
  }
}
