package io.statespace.gpu;

import io.statespace.gpu.ModelPacking.Kind;
import io.statespace.gpu.ModelPacking.Layout;
import io.statespace.gpu.ModelPacking.PackedModel;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;

/**
 * A Java mirror of the batched kernel (src/main/cuda/batched.cuh, batchLane, with model.cuh's loaders and
 * masks): it reads the same packed arrays through the same indices ({@link BatchLayout#index}, the model
 * buffer's {@link Layout}) and performs the same operations in the same order, lane by lane. Tests run it
 * against the sequential engine, and padded against unpadded, to check on a machine without a GPU the
 * algorithm and the packing the kernel relies on: masked partial observations, the Joseph update,
 * constant-velocity F and Q from dt, input terms, per-lane lengths and shape padding.
 */
final class BatchedKernelMirror {
  static final double LOG_2PI = 1.8378770664093453;

  /** The kernel's outputs in its grouped layout. */
  static final class Result {
    double[] fm;
    double[] fc;
    double[] pm;
    double[] pc;
    double[] sm;
    double[] sc;
    double[] cross;
    double[] loglik;
    int[] status;
  }

  private final PackedModel model;
  private final Layout at;
  private final int n;
  private final int m;
  private final int p;

  BatchedKernelMirror(PackedModel model) {
    this.model = model;
    this.n = model.shape().stateDim();
    this.m = model.shape().obsDim();
    this.p = model.inputDim();
    this.at = new Layout(n, m, p);
  }

  /** Runs every lane; storage not written by the kernel stays NaN. */
  Result run(BatchLayout layout, double[] y, double[] u, double[] dt, boolean predictions, boolean smooth,
      boolean cross) {
    long steps = layout.storedDoubles(1);
    Result r = new Result();
    r.fm = nan(steps * n);
    r.fc = nan(steps * n * n);
    r.pm = predictions ? nan(steps * n) : null;
    r.pc = predictions ? nan(steps * n * n) : null;
    r.sm = smooth ? nan(steps * n) : null;
    r.sc = smooth ? nan(steps * n * n) : null;
    r.cross = smooth && cross ? nan(steps * n * n) : null;
    r.loglik = new double[layout.lanes()];
    r.status = new int[2 * layout.lanes()];
    for (int l = 0; l < layout.lanes(); l++) lane(layout, l, y, u, dt, r);
    return r;
  }

  private static double[] nan(long size) {
    double[] a = new double[Math.toIntExact(size)];
    java.util.Arrays.fill(a, Double.NaN);
    return a;
  }

  private int ix(BatchLayout layout, int lane, int t, int c, int i) {
    return (int) layout.index(lane, t, c, i);
  }

  private void dynamics(BatchLayout layout, int lane, int t, double[] u, double[] dt, double[] f, double[] c,
      double[] q) {
    double[] md = model.buffer();
    if (model.kind() == Kind.CONSTANT_VELOCITY) {
      double gap = dt[ix(layout, lane, t, 1, 0)];
      int axes = n / 2;
      boolean piecewise = md[at.cv] != 0.0;
      double level = md[at.cv + 1];
      double qpp;
      double qpv;
      double qvv;
      if (!piecewise) {
        qpp = level * gap * gap * gap / 3.0;
        qpv = level * gap * gap / 2.0;
        qvv = level * gap;
      } else {
        double s2 = level * level;
        qpp = s2 * gap * gap * gap * gap / 4.0;
        qpv = s2 * gap * gap * gap / 2.0;
        qvv = s2 * gap * gap;
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          f[i * n + j] = i == j ? 1.0 : (i < axes && j == i + axes ? gap : 0.0);
          double v = 0.0;
          if (i == j) v = i < axes ? qpp : qvv;
          if (j == i + axes && i < axes) v = qpv;
          if (i == j + axes && j < axes) v = qpv;
          q[i * n + j] = v;
        }
      }
      for (int i = 0; i < n; i++) c[i] = 0.0;
      return;
    }
    System.arraycopy(md, at.f, f, 0, n * n);
    System.arraycopy(md, at.q, q, 0, n * n);
    System.arraycopy(md, at.b, c, 0, n);
    for (int j = 0; j < p; j++) {
      double uj = u[ix(layout, lane, t, p, j)];
      for (int i = 0; i < n; i++) c[i] += md[at.bu + i * p + j] * uj;
    }
  }

  private void emissions(BatchLayout layout, int lane, int t, double[] u, double[] h, double[] e, double[] r) {
    double[] md = model.buffer();
    System.arraycopy(md, at.h, h, 0, m * n);
    System.arraycopy(md, at.r, r, 0, m * m);
    System.arraycopy(md, at.d, e, 0, m);
    for (int j = 0; j < p; j++) {
      double uj = u[ix(layout, lane, t, p, j)];
      for (int i = 0; i < m; i++) e[i] += md[at.du + i * p + j] * uj;
    }
  }

  private void predict(double[] f, double[] c, double[] q, double[] mean, double[] cov, double[] pm, double[] pc) {
    Products.multVector(f, 0, mean, 0, pm, 0, n, n);
    for (int i = 0; i < n; i++) pm[i] += c[i];
    double[] work = new double[n * n];
    Products.sandwich(f, 0, cov, 0, work, pc, 0, n, n);
    for (int i = 0; i < n * n; i++) pc[i] += q[i];
    Symmetric.symmetrize(pc, 0, n);
  }

  /** batched.cuh update(): returns false when S is not positive definite. */
  private boolean update(double[] h, double[] e, double[] r, double[] y, double[] pm, double[] pc, double[] mean,
      double[] cov, double[] ll) {
    boolean[] on = new boolean[m];
    int count = 0;
    for (int a = 0; a < m; a++) {
      on[a] = !Double.isNaN(y[a]);
      if (on[a]) count++;
    }
    System.arraycopy(pm, 0, mean, 0, n);
    System.arraycopy(pc, 0, cov, 0, n * n);
    if (count == 0) return true;
    double[] ho = new double[m * n];
    double[] ro = new double[m * m];
    double[] rz = new double[m * m];
    for (int a = 0; a < m; a++) {
      for (int j = 0; j < n; j++) ho[a * n + j] = on[a] ? h[a * n + j] : 0.0;
      for (int b = 0; b < m; b++) {
        ro[a * m + b] = on[a] && on[b] ? r[a * m + b] : (a == b ? 1.0 : 0.0);
        rz[a * m + b] = on[a] && on[b] ? r[a * m + b] : 0.0;
      }
    }
    double[] innov = new double[m];
    for (int a = 0; a < m; a++) {
      double pred = e[a];
      for (int j = 0; j < n; j++) pred += h[a * n + j] * pm[j];
      innov[a] = on[a] ? y[a] - pred : 0.0;
    }
    double[] hp = new double[m * n];
    Products.mult(ho, 0, pc, 0, hp, 0, m, n, n);
    double[] s = new double[m * m];
    for (int a = 0; a < m; a++) {
      for (int b = 0; b < m; b++) {
        double v = 0.0;
        for (int j = 0; j < n; j++) v += hp[a * n + j] * ho[b * n + j];
        s[a * m + b] = ro[a * m + b] + v;
      }
    }
    Symmetric.symmetrize(s, 0, m);
    if (!Cholesky.decompose(s, 0, m)) return false;
    double[] gainT = hp.clone();
    Cholesky.solve(s, 0, m, gainT, 0, n);
    for (int j = 0; j < n; j++) {
      double v = 0.0;
      for (int a = 0; a < m; a++) v += gainT[a * n + j] * innov[a];
      mean[j] += v;
    }
    double[] ikh = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double v = i == j ? 1.0 : 0.0;
        for (int a = 0; a < m; a++) v -= gainT[a * n + i] * ho[a * n + j];
        ikh[i * n + j] = v;
      }
    }
    double[] work = new double[n * n];
    Products.sandwich(ikh, 0, pc, 0, work, cov, 0, n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double v = 0.0;
        for (int a = 0; a < m; a++) {
          for (int b = 0; b < m; b++) v += gainT[a * n + i] * rz[a * m + b] * gainT[b * n + j];
        }
        cov[i * n + j] += v;
        if (j != i) cov[j * n + i] += v;
      }
    }
    Cholesky.solveLower(s, 0, m, innov, 0, 1);
    double quad = 0.0;
    for (int a = 0; a < m; a++) quad += innov[a] * innov[a];
    ll[0] += -0.5 * (count * LOG_2PI + Cholesky.logDet(s, 0, m) + quad);
    return true;
  }

  private void lane(BatchLayout layout, int l, double[] y, double[] u, double[] dt, Result r) {
    int steps = layout.length(l);
    double[] md = model.buffer();
    double[] mean = new double[n];
    double[] cov = new double[n * n];
    double[] pm = new double[n];
    double[] pc = new double[n * n];
    System.arraycopy(md, at.mu0, pm, 0, n);
    System.arraycopy(md, at.sigma0, pc, 0, n * n);
    double[] ll = {0.0};
    int code = 0;
    int bad = 0;
    double[] f = new double[n * n];
    double[] c = new double[n];
    double[] q = new double[n * n];
    double[] h = new double[m * n];
    double[] e = new double[m];
    double[] rr = new double[m * m];
    double[] yt = new double[m];
    for (int t = 0; t < steps; t++) {
      if (t > 0) {
        dynamics(layout, l, t - 1, u, dt, f, c, q);
        predict(f, c, q, mean, cov, pm, pc);
      }
      if (r.pm != null) {
        for (int i = 0; i < n; i++) r.pm[ix(layout, l, t, n, i)] = pm[i];
        for (int i = 0; i < n * n; i++) r.pc[ix(layout, l, t, n * n, i)] = pc[i];
      }
      emissions(layout, l, t, u, h, e, rr);
      for (int a = 0; a < m; a++) yt[a] = y[ix(layout, l, t, m, a)];
      if (!update(h, e, rr, yt, pm, pc, mean, cov, ll)) {
        code = 1;
        bad = t;
        break;
      }
      for (int i = 0; i < n; i++) r.fm[ix(layout, l, t, n, i)] = mean[i];
      for (int i = 0; i < n * n; i++) r.fc[ix(layout, l, t, n * n, i)] = cov[i];
    }
    r.loglik[l] = ll[0];
    if (code == 0 && r.sm != null && steps > 0) {
      double[] smn = mean.clone();
      double[] scn = cov.clone();
      for (int i = 0; i < n; i++) r.sm[ix(layout, l, steps - 1, n, i)] = mean[i];
      for (int i = 0; i < n * n; i++) {
        r.sc[ix(layout, l, steps - 1, n * n, i)] = cov[i];
        if (r.cross != null) r.cross[ix(layout, l, steps - 1, n * n, i)] = 0.0;
      }
      for (int t = steps - 2; t >= 0; t--) {
        dynamics(layout, l, t, u, dt, f, c, q);
        for (int i = 0; i < n; i++) mean[i] = r.fm[ix(layout, l, t, n, i)];
        for (int i = 0; i < n * n; i++) cov[i] = r.fc[ix(layout, l, t, n * n, i)];
        predict(f, c, q, mean, cov, pm, pc);
        double[] gainT = new double[n * n];
        Products.mult(f, 0, cov, 0, gainT, 0, n, n, n);
        double[] chol = pc.clone();
        if (!Cholesky.decompose(chol, 0, n)) {
          code = 2;
          bad = t;
          break;
        }
        Cholesky.solve(chol, 0, n, gainT, 0, n);
        double[] diff = new double[n];
        for (int i = 0; i < n; i++) diff[i] = smn[i] - pm[i];
        for (int j = 0; j < n; j++) {
          double v = mean[j];
          for (int i = 0; i < n; i++) v += gainT[i * n + j] * diff[i];
          smn[j] = v;
        }
        for (int i = 0; i < n * n; i++) pc[i] = scn[i] - pc[i];
        double[] work = new double[n * n];
        Products.mult(pc, 0, gainT, 0, work, 0, n, n, n);
        if (r.cross != null) {
          double[] cr = new double[n * n];
          Products.mult(scn, 0, gainT, 0, cr, 0, n, n, n);
          for (int i = 0; i < n * n; i++) r.cross[ix(layout, l, t, n * n, i)] = cr[i];
        }
        Products.multTransA(gainT, 0, work, 0, scn, 0, n, n, n);
        for (int i = 0; i < n * n; i++) scn[i] += cov[i];
        Symmetric.symmetrize(scn, 0, n);
        for (int i = 0; i < n; i++) r.sm[ix(layout, l, t, n, i)] = smn[i];
        for (int i = 0; i < n * n; i++) r.sc[ix(layout, l, t, n * n, i)] = scn[i];
      }
    }
    r.status[2 * l] = code;
    r.status[2 * l + 1] = bad;
  }

  /**
   * The unpack kernel (batched.cuh unpackLanes) for one output: per lane, its rows in the per-trajectory
   * layout at dstStep.
   */
  static double[] unpack(BatchLayout layout, double[] src, int components) {
    double[] dst = new double[Math.toIntExact(layout.totalSteps() * components)];
    long[] dstStep = layout.dstSteps();
    for (int l = 0; l < layout.lanes(); l++) {
      for (int t = 0; t < layout.length(l); t++) {
        for (int i = 0; i < components; i++) {
          dst[(int) ((dstStep[l] + t) * components + i)] = src[(int) layout.index(l, t, components, i)];
        }
      }
    }
    return dst;
  }
}
