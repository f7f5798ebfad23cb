package io.statespace.gpu.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.inference.Posterior;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The project's one comparison: the array-wide and the per-element relative differences, their edge cases
 * (NaN, infinities, zero references, lengths), the component and covariance scales, and the per-posterior
 * maps the harness and the GPU tests read.
 */
class CompareTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void arrayWideIsTheLargestDifferenceOverTheLargestReference() {
    assertEquals(0.5 / 4.0, Compare.relative(new double[] {1.0, -3.5}, new double[] {1.0, -4.0}), 0.0);
    assertEquals(0.0, Compare.relative(new double[] {2.0, 0.0}, new double[] {2.0, 0.0}), 0.0);
    assertEquals(0.0, Compare.relative(new double[0], new double[0]), 0.0);
    assertEquals(INF, Compare.relative(new double[] {1e-300}, new double[] {0.0}));
    assertEquals(INF, Compare.relative(new double[] {Double.NaN}, new double[] {1.0}));
    assertEquals(INF, Compare.relative(new double[] {1.0}, new double[] {INF}));
    assertEquals(INF, Compare.relative(new double[] {1.0}, new double[] {1.0, 2.0}));
  }

  @Test
  void scalarsAreMeasuredAgainstAtLeastOne() {
    assertEquals(0.25, Compare.relative(0.25, 0.0), 0.0);
    assertEquals(1.0 / 200.0, Compare.relative(-201.0, -200.0), 1e-18);
    assertEquals(INF, Compare.relative(Double.NaN, 1.0));
  }

  @Test
  void perElementJudgesEachEntryAgainstItsComponentNotTheArraysLargest() {
    // Two steps of a position (thousands) and a velocity (order 1): a velocity error of 1e-6 is 1e-9 of the
    // array's largest magnitude, but 1e-6 of the velocity's own scale.
    double[] expected = {1000.0, 1.0, 2000.0, -0.5};
    double[] actual = {1000.0, 1.0 + 1e-6, 2000.0, -0.5};
    assertTrue(Compare.relative(actual, expected) < 1e-9);
    double[] scale = Compare.componentScale(expected, 2);
    assertArrayEquals(new double[] {2000.0, 1.0, 2000.0, 1.0}, scale, 0.0);
    assertEquals(1e-6, Compare.perElement(actual, expected, scale), 1e-15);
    assertEquals(1, Compare.worstElement(actual, expected, scale));
  }

  @Test
  void perElementUsesTheLargerOfTheEntryAndItsScale() {
    double[] expected = {0.0, 5.0, -1e-12};
    double[] scale = {2.0, 1.0, 4.0};
    // |a - b| <= tol * max(|b|, s) holds with equality at the first entry and is the largest ratio.
    double[] atTolerance = {2e-9, 5.0 + 1e-9, -1e-12 + 4e-9};
    assertEquals(1e-9, Compare.perElement(atTolerance, expected, scale), 1e-22);
    double[] beyond = {2e-9, 5.0 + 5e-8, -1e-12};
    assertEquals(1e-8, Compare.perElement(beyond, expected, scale), 1e-16);
    assertEquals(0.0, Compare.perElement(expected.clone(), expected, scale), 0.0);
    assertEquals(INF, Compare.perElement(new double[] {1e-300}, new double[] {0.0}, new double[] {0.0}));
    assertEquals(0.0, Compare.perElement(new double[] {0.0}, new double[] {0.0}, new double[] {0.0}), 0.0);
    assertEquals(INF, Compare.perElement(new double[] {Double.NaN, 0, 0}, expected, scale));
    assertEquals(INF, Compare.perElement(new double[] {0.0, 5.0}, expected, scale));
    assertEquals(INF, Compare.perElement(expected, expected, new double[] {1.0}));
  }

  @Test
  void covarianceEntriesAreScaledByTheirVariablesLargestVariances() {
    double[] covs = {4.0, 0.0, 0.0, 1.0, /* t = 1 */ 9.0, 0.5, 0.5, 0.25};
    double[] scale = Compare.covarianceScale(covs, 2, 3);
    double[] one = {9.0, 3.0, 3.0, 1.0};
    assertEquals(12, scale.length);
    for (int t = 0; t < 3; t++) {
      for (int e = 0; e < 4; e++) assertEquals(one[e], scale[t * 4 + e], 0.0, "t=" + t + " entry " + e);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compare.covarianceScale(covs, 3, 1));
    assertEquals("length 8 is not a multiple of 3×3", e.getMessage());
    IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
        () -> Compare.componentScale(new double[5], 2));
    assertEquals("length 5 is not a multiple of the width 2", w.getMessage());
  }

  private static Posterior posterior(double logLik, double[] means, double[] covs, double[] cross) {
    return new Posterior(2, 2, logLik, means, covs, null, null, means, covs, cross);
  }

  @Test
  void posteriorMapsNameEveryHeldArray() {
    double[] means = {1000.0, 1.0, 1001.0, 0.5};
    double[] covs = {4.0, 0.1, 0.1, 1.0, 4.0, 0.0, 0.0, 1.0};
    double[] cross = {3.0, 0.0, 0.0, 0.5};
    Posterior expected = posterior(-12.0, means, covs, cross);
    double[] shiftedMeans = means.clone();
    shiftedMeans[3] += 1e-7;
    double[] shiftedCross = cross.clone();
    shiftedCross[1] += 2e-7;
    Posterior actual = posterior(-12.0 - 1.2e-8, shiftedMeans, covs.clone(), shiftedCross);

    Map<String, Double> wide = Compare.of(actual, expected);
    assertEquals(List.of("loglik", "filtMean", "filtCov", "smMean", "smCov", "cross"), List.copyOf(wide.keySet()));
    assertEquals(1e-9, wide.get("loglik"), 1e-15);
    assertEquals(1e-7 / 1001.0, wide.get("smMean"), 1e-18);
    assertEquals(0.0, wide.get("smCov"), 0.0);

    Map<String, Double> each = Compare.perElement(actual, expected);
    assertEquals(wide.keySet(), each.keySet());
    assertEquals(1e-7, each.get("smMean"), 1e-16, "velocity judged against its own scale 1");
    // Cross entry (0, 1) is 0 in the reference: its scale is √(max P_00 · max P_11) = √(4 · 1) of the smoothed covariances.
    assertEquals(2e-7 / 2.0, each.get("cross"), 1e-16);
    assertEquals(1e-7, Compare.max(each), 1e-16);

    Posterior missingCross = posterior(-12.0, means, covs, null);
    assertEquals(INF, Compare.perElement(missingCross, expected).get("cross"));
    assertEquals(INF, Compare.of(missingCross, expected).get("cross"));
  }

  @Test
  void identicalMeansBitForBit() {
    double[] means = {1.0, 2.0, 3.0, 4.0};
    double[] covs = {1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0};
    Posterior a = posterior(-1.0, means, covs, new double[4]);
    assertTrue(Compare.identical(a, posterior(-1.0, means.clone(), covs.clone(), new double[4])));
    double[] next = means.clone();
    next[2] = Math.nextUp(next[2]);
    assertFalse(Compare.identical(a, posterior(-1.0, next, covs, new double[4])));
    assertFalse(Compare.identical(a, posterior(Math.nextDown(-1.0), means, covs, new double[4])));
  }

  @Test
  void theTestAssertionQuotesTheWorstEntry() {
    double[] expected = {1000.0, 1.0};
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> io.statespace.testing.Compare
        .assertPerElementClose("velocity", new double[] {1000.0, 1.001}, expected, Compare.componentScale(expected, 2),
            1e-6));
    assertTrue(e.getMessage().startsWith("velocity: per-element relative difference 1.000e-03 > 1.0e-06 (index 1:"),
        e.getMessage());
    assertEquals(0.0, io.statespace.testing.Compare.assertPerElementClose("same", expected.clone(), expected,
        Compare.componentScale(expected, 2), 0.0), 0.0);
  }
}
