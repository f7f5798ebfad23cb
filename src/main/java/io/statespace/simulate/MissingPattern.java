package io.statespace.simulate;

import java.util.SplittableRandom;

/** Blanks out observations at random: whole steps with one probability, one component with another. */
public final class MissingPattern {
  private final double wholeStep;
  private final double oneComponent;

  public MissingPattern(double wholeStep, double oneComponent) {
    if (wholeStep < 0 || oneComponent < 0 || wholeStep + oneComponent > 1) {
      throw new IllegalArgumentException("missing fractions must be in [0, 1] and sum to at most 1");
    }
    this.wholeStep = wholeStep;
    this.oneComponent = oneComponent;
  }

  /** Applies the pattern in place to T×m observations. */
  public void apply(double[] obs, int steps, int m, SplittableRandom rng) {
    for (int t = 0; t < steps; t++) {
      double u = rng.nextDouble();
      if (u < wholeStep) {
        for (int i = 0; i < m; i++) obs[t * m + i] = Double.NaN;
      } else if (u < wholeStep + oneComponent) {
        obs[t * m + rng.nextInt(m)] = Double.NaN;
      }
    }
  }
}
