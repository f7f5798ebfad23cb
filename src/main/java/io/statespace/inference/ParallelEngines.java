package io.statespace.inference;

/** Placeholder until the parallel engine lands: fails clearly. */
final class ParallelEngines {
  private ParallelEngines() {}

  static SmoothingEngine create(int threads) {
    throw new UnsupportedOperationException("the parallel engine is not built yet");
  }
}
