package io.statespace.plot;

import java.util.ArrayList;
import java.util.List;

/**
 * One observed component's standardised innovations as read from a smooth output: per trajectory its times
 * (x axis) and values in time order, NaN where the component was missing (or on forecast rows).
 *
 * @param label what is plotted, e.g. the trajectory id or "pooled over 12 trajectories"
 * @param component the observation column the innovations belong to
 */
public record InnovationSeries(String label, String component, List<double[]> times, List<double[]> values) {

  public InnovationSeries {
    if (times.size() != values.size()) throw new IllegalArgumentException("times and values per trajectory differ in number");
    for (int k = 0; k < times.size(); k++) {
      if (times.get(k).length != values.get(k).length) {
        throw new IllegalArgumentException("trajectory " + k + ": " + times.get(k).length + " times but " + values.get(k).length + " values");
      }
    }
    times = List.copyOf(times);
    values = List.copyOf(values);
  }

  /** Every observed (non-NaN) value, trajectory after trajectory. */
  public double[] observed() {
    List<Double> out = new ArrayList<>();
    for (double[] s : values) {
      for (double v : s) {
        if (!Double.isNaN(v)) out.add(v);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
