package io.statespace.cli;

/** Validates {@code --backend}; only the CPU backend exists in this build. */
final class Backends {
  private Backends() {}

  static void check(String backend) {
    switch (backend) {
      case "auto":
      case "cpu":
        return;
      case "gpu":
        throw new ConfigException("--backend gpu: this build has no GPU backend; use --backend cpu or auto");
      default:
        throw new ConfigException("--backend: must be auto, cpu or gpu, got '" + backend + "'");
    }
  }
}
