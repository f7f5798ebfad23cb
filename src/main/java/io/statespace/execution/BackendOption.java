package io.statespace.execution;

import java.util.Locale;

/** The {@code --backend} option: where blocks may run ({@link ExecutionPolicy} has the rules). */
public enum BackendOption {
  AUTO,
  CPU,
  GPU;

  /** The option's value, validated: "auto", "cpu" or "gpu" (any case, surrounding blanks ignored). */
  public static BackendOption parse(String option) {
    String o = option == null ? "" : option.trim().toLowerCase(Locale.ROOT);
    switch (o) {
      case "auto":
        return AUTO;
      case "cpu":
        return CPU;
      case "gpu":
        return GPU;
      default:
        throw new IllegalArgumentException("--backend: must be auto, cpu or gpu, got '" + option + "'");
    }
  }

  /** The option's spelling on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
