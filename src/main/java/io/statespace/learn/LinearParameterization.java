package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The {@code linear} family with whole blocks free: {@code dynamics.weights} F, {@code dynamics.bias} b,
 * {@code dynamics.input_weights} B, {@code emissions.weights} H, {@code emissions.bias} d,
 * {@code emissions.input_weights} D and {@code initial.mean} mu0 entry by entry (row-major); the
 * covariances {@code dynamics.cov} Q, {@code emissions.cov} R and {@code initial.cov} Sigma0 through a
 * Cholesky factor with log diagonal. θ holds the free blocks in the order of the free list.
 *
 * <p>Chain rule: with c_t = b + B u_t and e_t = d + D u_t, dL/db = Σ_t dL/dc_t, dL/dB = Σ_t dL/dc_t u_tᵀ
 * (likewise d, D), dL/dF = Σ_t dL/dF_t, and the covariance blocks chain Σ_t dL/dQ_t once per trajectory
 * through the factor (docs/ARCHITECTURE.md §7.4).
 */
public final class LinearParameterization implements Parameterization {
  private static final long serialVersionUID = 1L;

  /** The free-able blocks, by model-file key. */
  public enum Block {
    INITIAL_MEAN("initial.mean"),
    INITIAL_COV("initial.cov"),
    DYNAMICS_WEIGHTS("dynamics.weights"),
    DYNAMICS_BIAS("dynamics.bias"),
    DYNAMICS_INPUT_WEIGHTS("dynamics.input_weights"),
    DYNAMICS_COV("dynamics.cov"),
    EMISSIONS_WEIGHTS("emissions.weights"),
    EMISSIONS_BIAS("emissions.bias"),
    EMISSIONS_INPUT_WEIGHTS("emissions.input_weights"),
    EMISSIONS_COV("emissions.cov");

    private final String key;

    Block(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    boolean isCovariance() {
      return this == INITIAL_COV || this == DYNAMICS_COV || this == EMISSIONS_COV;
    }

    /** The block by model-file key, or null. */
    static Block of(String key) {
      for (Block b : values()) {
        if (b.key.equals(key)) return b;
      }
      return null;
    }
  }

  private final LinearModel base;
  private final List<String> free;
  private final int n;
  private final int m;
  private final int p;
  /** θ offset of each block, -1 when frozen. */
  private final int[] offset;
  private final int size;
  private final List<String> names;
  private final List<String> naturalNames;

  /**
   * @param free model-file block keys (see {@link Block}); {@code *.input_weights} only when the model
   *     has inputs
   */
  public LinearParameterization(LinearModel base, List<String> free) {
    this.base = base;
    this.free = List.copyOf(free);
    this.n = base.stateDim();
    this.m = base.obsDim();
    this.p = base.inputDim();
    offset = new int[Block.values().length];
    Arrays.fill(offset, -1);
    List<String> thetaNames = new ArrayList<>();
    List<String> natNames = new ArrayList<>();
    int o = 0;
    for (String key : this.free) {
      Block b = Block.of(key);
      if (b == null || ((b == Block.DYNAMICS_INPUT_WEIGHTS || b == Block.EMISSIONS_INPUT_WEIGHTS) && p == 0)) {
        throw new IllegalArgumentException("'" + key + "' is not a parameter of this linear model (known: "
            + String.join(", ", ModelSpec.parameterNames(base)) + ")");
      }
      if (offset[b.ordinal()] >= 0) throw new IllegalArgumentException("'" + key + "' is listed twice");
      offset[b.ordinal()] = o;
      int rows = rows(b);
      if (b.isCovariance()) {
        CovarianceCoordinates.names(key, rows, thetaNames);
        CovarianceCoordinates.naturalNames(key, rows, natNames);
        o += CovarianceCoordinates.count(rows);
      } else {
        int cols = cols(b);
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            String name = isVector(b) ? key + "[" + i + "]" : key + "[" + i + "][" + j + "]";
            thetaNames.add(name);
            natNames.add(name);
          }
        }
        o += rows * cols;
      }
    }
    this.size = o;
    this.names = Collections.unmodifiableList(thetaNames);
    this.naturalNames = Collections.unmodifiableList(natNames);
    theta(base);
  }

  private int rows(Block b) {
    switch (b) {
      case EMISSIONS_WEIGHTS:
      case EMISSIONS_BIAS:
      case EMISSIONS_INPUT_WEIGHTS:
      case EMISSIONS_COV:
        return m;
      default:
        return n;
    }
  }

  private int cols(Block b) {
    switch (b) {
      case INITIAL_MEAN:
      case DYNAMICS_BIAS:
      case EMISSIONS_BIAS:
        return 1;
      case DYNAMICS_INPUT_WEIGHTS:
      case EMISSIONS_INPUT_WEIGHTS:
        return p;
      default:
        return n;
    }
  }

  private static boolean isVector(Block b) {
    return b == Block.INITIAL_MEAN || b == Block.DYNAMICS_BIAS || b == Block.EMISSIONS_BIAS;
  }

  /** True when the block is free. */
  public boolean isFree(Block block) {
    return offset[block.ordinal()] >= 0;
  }

  /** The model the frozen blocks come from. */
  public LinearModel base() {
    return base;
  }

  @Override
  public String family() {
    return "linear";
  }

  @Override
  public List<String> free() {
    return free;
  }

  @Override
  public List<String> names() {
    return names;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public double[] initial() {
    return theta(base);
  }

  private static double[] values(LinearModel model, Block b) {
    switch (b) {
      case INITIAL_MEAN:
        return model.initialMean();
      case INITIAL_COV:
        return model.initialCov();
      case DYNAMICS_WEIGHTS:
        return model.dynamicsWeights();
      case DYNAMICS_BIAS:
        return model.dynamicsBias();
      case DYNAMICS_INPUT_WEIGHTS:
        return model.dynamicsInputWeights();
      case DYNAMICS_COV:
        return model.dynamicsCov();
      case EMISSIONS_WEIGHTS:
        return model.emissionsWeights();
      case EMISSIONS_BIAS:
        return model.emissionsBias();
      case EMISSIONS_INPUT_WEIGHTS:
        return model.emissionsInputWeights();
      default:
        return model.emissionsCov();
    }
  }

  @Override
  public double[] theta(StateSpaceModel model) {
    if (!(model instanceof LinearModel) || model.stateDim() != n || model.obsDim() != m || model.inputDim() != p) {
      throw new IllegalArgumentException("expected a linear model with n=" + n + ", m=" + m + ", p=" + p);
    }
    LinearModel lm = (LinearModel) model;
    double[] theta = new double[size];
    for (Block b : Block.values()) {
      int o = offset[b.ordinal()];
      if (o < 0) continue;
      double[] v = values(lm, b);
      if (b.isCovariance()) {
        CovarianceCoordinates.coordinates(b.key, v, rows(b), theta, o);
      } else {
        System.arraycopy(v, 0, theta, o, v.length);
      }
    }
    return theta;
  }

  @Override
  public LinearModel model(double[] theta) {
    checkSize(theta);
    double[][] v = new double[Block.values().length][];
    for (Block b : Block.values()) {
      v[b.ordinal()] = values(base, b);
      int o = offset[b.ordinal()];
      if (o < 0) continue;
      if (b.isCovariance()) {
        int k = rows(b);
        CovarianceCoordinates.covariance(theta, o, k, new double[k * k], v[b.ordinal()]);
      } else {
        System.arraycopy(theta, o, v[b.ordinal()], 0, v[b.ordinal()].length);
      }
    }
    return new LinearModel(n, m, p,
        v[Block.INITIAL_MEAN.ordinal()], v[Block.INITIAL_COV.ordinal()],
        v[Block.DYNAMICS_WEIGHTS.ordinal()], v[Block.DYNAMICS_BIAS.ordinal()],
        p == 0 ? null : v[Block.DYNAMICS_INPUT_WEIGHTS.ordinal()], v[Block.DYNAMICS_COV.ordinal()],
        v[Block.EMISSIONS_WEIGHTS.ordinal()], v[Block.EMISSIONS_BIAS.ordinal()],
        p == 0 ? null : v[Block.EMISSIONS_INPUT_WEIGHTS.ordinal()], v[Block.EMISSIONS_COV.ordinal()]);
  }

  private void checkSize(double[] theta) {
    if (theta.length != size) {
      throw new IllegalArgumentException("θ has " + theta.length + " values, the parameterisation " + size);
    }
  }

  @Override
  public List<String> naturalNames() {
    return naturalNames;
  }

  @Override
  public double[] natural(double[] theta) {
    checkSize(theta);
    double[] out = theta.clone();
    for (Block b : Block.values()) {
      int o = offset[b.ordinal()];
      if (o < 0 || !b.isCovariance()) continue;
      int k = rows(b);
      double[] cov = new double[k * k];
      CovarianceCoordinates.covariance(theta, o, k, new double[k * k], cov);
      CovarianceCoordinates.natural(cov, k, out, o);
    }
    return out;
  }

  @Override
  public double[][] naturalJacobian(double[] theta) {
    checkSize(theta);
    double[][] jac = new double[size][size];
    for (int i = 0; i < size; i++) jac[i][i] = 1.0;
    for (Block b : Block.values()) {
      int o = offset[b.ordinal()];
      if (o < 0 || !b.isCovariance()) continue;
      int k = rows(b);
      double[] l = new double[k * k];
      CovarianceCoordinates.factor(theta, o, k, l);
      CovarianceCoordinates.naturalJacobian(l, k, jac, o, o);
    }
    return jac;
  }

  @Override
  public GradientChain chain(double[] theta) {
    checkSize(theta);
    return new Chain(theta);
  }

  /** Sums the step gradients of one trajectory per block, then chains each free block once. */
  private final class Chain implements GradientChain {
    private final double[][] factors = new double[Block.values().length][];
    private final double[] sF = new double[n * n];
    private final double[] sb = new double[n];
    private final double[] sB = new double[n * p];
    private final double[] sQ = new double[n * n];
    private final double[] sH = new double[m * n];
    private final double[] sd = new double[m];
    private final double[] sD = new double[m * p];
    private final double[] sR = new double[m * m];
    private final double[] sMean = new double[n];
    private final double[] sCov = new double[n * n];
    private double[] inputs;

    Chain(double[] theta) {
      for (Block b : Block.values()) {
        int o = offset[b.ordinal()];
        if (o >= 0 && b.isCovariance()) {
          int k = rows(b);
          factors[b.ordinal()] = new double[k * k];
          CovarianceCoordinates.factor(theta, o, k, factors[b.ordinal()]);
        }
      }
    }

    @Override
    public void begin(Trajectory trajectory) {
      inputs = trajectory.inputs();
      Arrays.fill(sF, 0.0);
      Arrays.fill(sb, 0.0);
      Arrays.fill(sB, 0.0);
      Arrays.fill(sQ, 0.0);
      Arrays.fill(sH, 0.0);
      Arrays.fill(sd, 0.0);
      Arrays.fill(sD, 0.0);
      Arrays.fill(sR, 0.0);
      Arrays.fill(sMean, 0.0);
      Arrays.fill(sCov, 0.0);
    }

    @Override
    public void initial(double[] dMean, double[] dCov) {
      add(sMean, dMean);
      add(sCov, dCov);
    }

    @Override
    public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
      add(sF, dWeights);
      add(sb, dBias);
      add(sQ, dCov);
      addOuter(sB, dBias, n, t);
    }

    @Override
    public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
      add(sH, dWeights);
      add(sd, dBias);
      add(sR, dCov);
      addOuter(sD, dBias, m, t);
    }

    private void add(double[] sum, double[] d) {
      for (int i = 0; i < sum.length; i++) sum[i] += d[i];
    }

    /** sum += d u_tᵀ (rows×p). */
    private void addOuter(double[] sum, double[] d, int rows, int t) {
      for (int i = 0; i < rows; i++) {
        double di = d[i];
        for (int j = 0; j < p; j++) sum[i * p + j] += di * inputs[t * p + j];
      }
    }

    @Override
    public void end(double[] gradient) {
      flush(Block.INITIAL_MEAN, sMean, gradient);
      flush(Block.INITIAL_COV, sCov, gradient);
      flush(Block.DYNAMICS_WEIGHTS, sF, gradient);
      flush(Block.DYNAMICS_BIAS, sb, gradient);
      flush(Block.DYNAMICS_INPUT_WEIGHTS, sB, gradient);
      flush(Block.DYNAMICS_COV, sQ, gradient);
      flush(Block.EMISSIONS_WEIGHTS, sH, gradient);
      flush(Block.EMISSIONS_BIAS, sd, gradient);
      flush(Block.EMISSIONS_INPUT_WEIGHTS, sD, gradient);
      flush(Block.EMISSIONS_COV, sR, gradient);
    }

    private void flush(Block b, double[] sum, double[] gradient) {
      int o = offset[b.ordinal()];
      if (o < 0) return;
      if (b.isCovariance()) {
        CovarianceCoordinates.chain(factors[b.ordinal()], rows(b), sum, gradient, o);
      } else {
        for (int i = 0; i < sum.length; i++) gradient[o + i] += sum[i];
      }
    }
  }
}
