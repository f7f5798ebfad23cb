package io.statespace.execution;

import java.util.Locale;

/**
 * The {@code --engine} option: which algorithm smooths a trajectory. {@link ExecutionPolicy} turns it, with
 * the backend option and the shape of the work, into the concrete {@link Engine} of each block.
 */
public enum EngineChoice {
  SEQUENTIAL,
  PARALLEL,
  BATCHED,
  AUTO;

  public static EngineChoice parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--engine: must be sequential, parallel, batched or auto, got '" + text + "'");
    }
  }

  /** The option's spelling on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
