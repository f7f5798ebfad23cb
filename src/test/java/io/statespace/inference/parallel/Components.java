package io.statespace.inference.parallel;

import io.statespace.testing.Differences;
import java.util.ArrayList;
import java.util.List;

/** The named parts of an element (A, b, C, eta, J or E, g, L), compared one by one in the tests. */
final class Components {
  private final List<String> names = new ArrayList<>();
  private final List<int[]> ranges = new ArrayList<>();

  static Components of(FilterOperator op) {
    int n = op.stateDim();
    return new Components()
        .add("A", op.offsetA(), n * n).add("b", op.offsetB(), n).add("C", op.offsetC(), n * n)
        .add("eta", op.offsetEta(), n).add("J", op.offsetJ(), n * n);
  }

  static Components of(SmootherOperator op) {
    int n = op.stateDim();
    return new Components().add("E", op.offsetE(), n * n).add("g", op.offsetG(), n).add("L", op.offsetL(), n * n);
  }

  private Components add(String name, int offset, int length) {
    names.add(name);
    ranges.add(new int[] {offset, length});
    return this;
  }

  /** The largest per-component relative difference between the elements at ao and bo (b the reference). */
  double maxRelative(double[] a, int ao, double[] b, int bo) {
    double worst = 0.0;
    for (int[] r : ranges) worst = Math.max(worst, Differences.relative(a, ao + r[0], b, bo + r[0], r[1]));
    return worst;
  }

  /** The largest per-component relative difference over {@code count} elements of the given width. */
  double maxRelative(double[] a, double[] b, int count, int width) {
    double worst = 0.0;
    for (int k = 0; k < count; k++) worst = Math.max(worst, maxRelative(a, k * width, b, k * width));
    return worst;
  }
}
