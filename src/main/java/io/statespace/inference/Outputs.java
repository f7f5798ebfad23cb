package io.statespace.inference;

/**
 * Which optional arrays an engine keeps besides the filtered and smoothed moments. Each costs T×n×n
 * doubles, so they are opt-in (memory is what fails first at scale: simdkalman #25, statsmodels #6034).
 */
public final class Outputs {
  /** Filtered and smoothed moments only. */
  public static final Outputs MOMENTS = new Outputs(false, false);
  /** Everything: also one-step predictions and lag-one smoothed cross-covariances. */
  public static final Outputs ALL = new Outputs(true, true);

  private final boolean predictions;
  private final boolean crossCovariances;

  private Outputs(boolean predictions, boolean crossCovariances) {
    this.predictions = predictions;
    this.crossCovariances = crossCovariances;
  }

  public static Outputs of(boolean predictions, boolean crossCovariances) {
    return new Outputs(predictions, crossCovariances);
  }

  public boolean predictions() {
    return predictions;
  }

  public boolean crossCovariances() {
    return crossCovariances;
  }
}
