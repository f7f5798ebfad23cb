package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Associativity ((a⊗b)⊗c = a⊗(b⊗c)) and the identity laws (e⊗a = a = a⊗e) of both combine operators on
 * random elements, plus in-place combining (out aliasing an input), which the scans rely on.
 */
class CombineLawsTest {
  private static final double TOLERANCE = 1e-12;
  private static final int TRIALS = 50;

  @ParameterizedTest(name = "filter operator, n = {0}")
  @ValueSource(ints = {1, 2, 3, 5, 8})
  void filterOperatorLaws(int n) {
    FilterOperator op = new FilterOperator(n);
    SplittableRandom rng = new SplittableRandom(1000 + n);
    double[] worst = checkLaws(op, Components.of(op), () -> RandomElements.filter(rng, op, 3, 1.5));
    report("filter", n, worst);
  }

  @ParameterizedTest(name = "smoother operator, n = {0}")
  @ValueSource(ints = {1, 2, 3, 5, 8})
  void smootherOperatorLaws(int n) {
    SmootherOperator op = new SmootherOperator(n);
    SplittableRandom rng = new SplittableRandom(2000 + n);
    double[] worst = checkLaws(op, Components.of(op), () -> RandomElements.smoother(rng, op, 3, 1.5));
    report("smoother", n, worst);
  }

  private static void report(String which, int n, double[] worst) {
    System.out.printf("combine laws %-8s n=%d: assoc=%.1e identity=%.1e in-place=%.1e%n",
        which, n, worst[0], worst[1], worst[2]);
  }

  /** Returns the worst {associativity, identity, aliasing} relative differences over the trials. */
  private static <W> double[] checkLaws(ScanOperator<W> op, Components parts,
      java.util.function.Supplier<double[]> triples) {
    int w = op.width();
    W ws = op.newWorkspace();
    double[] worst = new double[3];
    for (int trial = 0; trial < TRIALS; trial++) {
      double[] abc = triples.get();
      double[] ab = new double[w];
      double[] bc = new double[w];
      double[] left = new double[w];
      double[] right = new double[w];
      op.combine(abc, 0, abc, w, ab, 0, ws);
      op.combine(ab, 0, abc, 2 * w, left, 0, ws);
      op.combine(abc, w, abc, 2 * w, bc, 0, ws);
      op.combine(abc, 0, bc, 0, right, 0, ws);
      double assoc = parts.maxRelative(left, 0, right, 0);
      assertTrue(assoc < TOLERANCE, "associativity: " + assoc);

      double[] e = new double[w];
      op.identity(e, 0);
      double[] ea = new double[w];
      double[] ae = new double[w];
      op.combine(e, 0, abc, 0, ea, 0, ws);
      op.combine(abc, 0, e, 0, ae, 0, ws);
      double identity = Math.max(parts.maxRelative(ea, 0, abc, 0), parts.maxRelative(ae, 0, abc, 0));
      assertTrue(identity < TOLERANCE, "identity: " + identity);

      double[] intoA = abc.clone();
      op.combine(intoA, 0, intoA, w, intoA, 0, ws);
      double[] intoB = abc.clone();
      op.combine(intoB, 0, intoB, w, intoB, w, ws);
      double alias = Math.max(parts.maxRelative(intoA, 0, ab, 0), parts.maxRelative(intoB, w, ab, 0));
      assertTrue(alias == 0.0, "in-place combine differs: " + alias);

      worst[0] = Math.max(worst[0], assoc);
      worst[1] = Math.max(worst[1], identity);
      worst[2] = Math.max(worst[2], alias);
    }
    return worst;
  }
}
