package io.statespace.cli;

import io.statespace.spark.QuarantineLimit;
import picocli.CommandLine.Option;

/** {@code --max-quarantined-fraction}, shared by the jobs that quarantine rows (smooth, fit). */
public final class QuarantineOption {
  @Option(names = "--max-quarantined-fraction", defaultValue = "1.0", paramLabel = "F",
      description = "Commit nothing and exit with code " + QuarantineLimit.EXIT_CODE + " when more than this share of the "
          + "input rows is quarantined (default: ${DEFAULT-VALUE}, never).")
  double maxQuarantinedFraction;

  /** The limit, validated (exit 2 outside [0, 1]). */
  QuarantineLimit limit() {
    try {
      return new QuarantineLimit(maxQuarantinedFraction);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
