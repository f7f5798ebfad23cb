package io.statespace.learn;

/**
 * A line search for the strong Wolfe conditions (Nocedal &amp; Wright 2006, Algorithms 3.5 and 3.6):
 * f(x + αd) ≤ f(x) + c1 α ∇f·d and |∇f(x + αd)·d| ≤ c2 |∇f·d|, with c1 = 1e-4, c2 = 0.9. It brackets by
 * doubling α, then zooms with safeguarded cubic interpolation (bisection when the cubic is undefined).
 * A non-finite loss (θ where some filter failed) counts as "too far" and shrinks the step. When the
 * evaluation budget runs out, the best point with sufficient decrease is accepted if there is one (the
 * L-BFGS update then checks curvature itself); otherwise the search fails. Deterministic: the same inputs
 * give the same trial points.
 */
final class WolfeLineSearch {
  private static final double C1 = 1e-4;
  private static final double C2 = 0.9;

  private final int maxEvaluations;

  WolfeLineSearch(int maxEvaluations) {
    this.maxEvaluations = maxEvaluations;
  }

  /** The outcome: ok, the step α, the new point and its evaluation, and the evaluations used. */
  record Result(boolean ok, double alpha, double[] x, Evaluation evaluation, int evaluations) {}

  private Objective objective;
  private double[] x0;
  private double[] dir;
  private double f0;
  private double dg0;
  private int used;

  Result search(Objective obj, double[] x, double f, double[] g, double[] d, double alpha0) {
    objective = obj;
    x0 = x;
    dir = d;
    f0 = f;
    dg0 = dot(g, d);
    used = 0;
    Trial prev = new Trial(0.0, new Evaluation(f, g), null, dg0);
    double alpha = alpha0;
    for (int i = 0; used < maxEvaluations; i++) {
      Trial t = trial(alpha);
      if (!t.finite() || t.f() > f0 + C1 * alpha * dg0 || (i > 0 && t.f() >= prev.f())) return zoom(prev, t);
      if (Math.abs(t.dg) <= -C2 * dg0) return success(t);
      if (t.dg >= 0) return zoom(t, prev);
      prev = t;
      alpha *= 2.0;
    }
    return prev.alpha > 0 ? success(prev) : new Result(false, 0.0, x, null, used);
  }

  private Result zoom(Trial lo, Trial hi) {
    while (used < maxEvaluations) {
      double alpha = interpolate(lo, hi);
      Trial t = trial(alpha);
      if (!t.finite() || t.f() > f0 + C1 * alpha * dg0 || t.f() >= lo.f()) {
        hi = t;
      } else {
        if (Math.abs(t.dg) <= -C2 * dg0) return success(t);
        if (t.dg * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = t;
      }
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-16 * Math.max(1.0, lo.alpha)) break;
    }
    return lo.alpha > 0 ? success(lo) : new Result(false, 0.0, x0, null, used);
  }

  /** The minimiser of the cubic through both ends, kept within the middle 80% of the interval. */
  private static double interpolate(Trial lo, Trial hi) {
    double a = lo.alpha;
    double b = hi.alpha;
    double mid = 0.5 * (a + b);
    if (!hi.finite()) return mid;
    double d1 = lo.dg + hi.dg - 3.0 * (lo.f() - hi.f()) / (a - b);
    double disc = d1 * d1 - lo.dg * hi.dg;
    if (!(disc >= 0)) return mid;
    double d2 = Math.signum(b - a) * Math.sqrt(disc);
    double c = b - (b - a) * (hi.dg + d2 - d1) / (hi.dg - lo.dg + 2.0 * d2);
    double left = Math.min(a, b);
    double width = Math.abs(b - a);
    if (!Double.isFinite(c) || c < left + 0.1 * width || c > left + 0.9 * width) return mid;
    return c;
  }

  private Trial trial(double alpha) {
    double[] x = new double[x0.length];
    for (int i = 0; i < x.length; i++) x[i] = x0[i] + alpha * dir[i];
    Evaluation e = objective.evaluate(x);
    used++;
    double dg = e.isFinite() ? dot(e.gradient(), dir) : Double.NaN;
    return new Trial(alpha, e, x, dg);
  }

  private Result success(Trial t) {
    return new Result(true, t.alpha, t.x, t.eval, used);
  }

  static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  /** One evaluated step length. */
  private record Trial(double alpha, Evaluation eval, double[] x, double dg) {
    double f() {
      return eval.loss();
    }

    boolean finite() {
      return eval.isFinite();
    }
  }
}
