package io.statespace.inference.sampling;

/**
 * Everything backward sampling needs of one trajectory, computed once and shared by all its draws: for each
 * step t &lt; T−1 the conditional p(x_t | x_{t+1}, y_{0:t}) = N(a_t + J_t x_{t+1}, L_t L_tᵀ), and for the last
 * step p(x_{T−1} | y) = N(a_{T−1}, L_{T−1} L_{T−1}ᵀ) (a_{T−1} = m_{T−1|T−1}). A draw is then
 * x_{T−1} = a_{T−1} + L_{T−1} z_{T−1} and x_t = a_t + J_t x_{t+1} + L_t z_t backwards, with z standard normal
 * from the draw's {@link DrawStream}. Immutable once built; {@link #draw} may run on several threads at once.
 */
public final class SamplingKernel {
  private final int steps;
  private final int n;
  private final double[] offsets;
  private final double[] gains;
  private final double[] roots;

  /**
   * @param offsets a_t, T×n
   * @param gains J_t, (T−1)×n×n row-major
   * @param roots L_t, T×n×n row-major (lower triangular)
   */
  SamplingKernel(int steps, int n, double[] offsets, double[] gains, double[] roots) {
    this.steps = steps;
    this.n = n;
    this.offsets = offsets;
    this.gains = gains;
    this.roots = roots;
  }

  /** Number of steps T. */
  public int length() {
    return steps;
  }

  public int stateDim() {
    return n;
  }

  /**
   * Writes one joint draw of x_0..x_{T−1} (T×n, row-major) into {@code out}, consuming T·n normals of
   * {@code stream} from the last step backwards.
   */
  public void draw(DrawStream stream, double[] out) {
    int nn = n * n;
    for (int t = steps - 1; t >= 0; t--) {
      int xo = t * n;
      for (int i = 0; i < n; i++) out[xo + i] = offsets[xo + i];
      if (t < steps - 1) {
        int go = t * nn;
        int next = xo + n;
        for (int i = 0; i < n; i++) {
          double s = 0.0;
          for (int j = 0; j < n; j++) s += gains[go + i * n + j] * out[next + j];
          out[xo + i] += s;
        }
      }
      int ro = t * nn;
      for (int j = 0; j < n; j++) {
        double z = stream.nextGaussian();
        for (int i = j; i < n; i++) out[xo + i] += roots[ro + i * n + j] * z;
      }
    }
  }
}
