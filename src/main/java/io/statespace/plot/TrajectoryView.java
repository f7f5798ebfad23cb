package io.statespace.plot;

import java.util.List;

/**
 * What the trajectory plot draws for one trajectory, in observation space; every array is T×p row-major
 * ({@code a[t * p + i]}), NaN where a value is absent.
 *
 * @param title the trajectory id
 * @param times the x axis, in time order
 * @param forecast true on rows appended by {@code smooth --forecast-steps} (drawn as a fan, not as estimates)
 * @param names the observation columns
 * @param observations the observations (NaN = missing)
 * @param smoothedMean the smoothed observation mean
 * @param filteredMean the filtered observation mean, or null when the output has no filtered moments
 * @param bands ±2 sd bands around the smoothed mean, drawn in this order (the widest first)
 * @param forecastMean the predicted observation mean on forecast rows, or null when there is no fan to draw
 * @param forecastStd the predicted observation standard deviation on forecast rows, or null
 */
public record TrajectoryView(String title, double[] times, boolean[] forecast, List<String> names, double[] observations,
    double[] smoothedMean, double[] filteredMean, List<Band> bands, double[] forecastMean, double[] forecastStd) {

  /** One shaded band: the smoothed mean ± 2 {@code std}, under {@code label} in the legend. */
  public record Band(String label, double[] std) {}

  public TrajectoryView {
    int p = names.size();
    int steps = times.length;
    check("forecast", forecast.length, steps);
    check("observations", observations.length, steps * p);
    check("smoothedMean", smoothedMean.length, steps * p);
    if (filteredMean != null) check("filteredMean", filteredMean.length, steps * p);
    for (Band b : bands) check(b.label(), b.std().length, steps * p);
    if ((forecastMean == null) != (forecastStd == null)) throw new IllegalArgumentException("forecast mean and std go together");
    if (forecastMean != null) {
      check("forecastMean", forecastMean.length, steps * p);
      check("forecastStd", forecastStd.length, steps * p);
    }
    names = List.copyOf(names);
    bands = List.copyOf(bands);
  }

  private static void check(String what, int length, int expected) {
    if (length != expected) throw new IllegalArgumentException(what + ": " + length + " values, expected " + expected);
  }

  int obsDim() {
    return names.size();
  }

  int steps() {
    return times.length;
  }

  boolean hasForecast() {
    for (boolean f : forecast) {
      if (f) return true;
    }
    return false;
  }
}
