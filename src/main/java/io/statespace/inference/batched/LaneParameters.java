package io.statespace.inference.batched;

import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepForm;
import io.statespace.model.StepParameters;

/**
 * The model's parameters over the lanes of one {@link Tile} (the per-step {@link StepParameters} of every lane,
 * in structure of arrays): mu0, Sigma0, and F_t, c_t, Q_t, H_t, e_t, R_t as {@link LaneMatrix} entries that
 * {@link #loadDynamics} and {@link #loadEmissions} refresh for the running lanes. What is shared stays a
 * shared constant, so kernels broadcast it and skip its zeros.
 */
abstract class LaneParameters {
  final LaneMatrix initialMean;
  final LaneMatrix initialCov;
  final LaneMatrix dynamicsWeights;
  final LaneMatrix dynamicsBias;
  final LaneMatrix dynamicsCov;
  final LaneMatrix emissionsWeights;
  final LaneMatrix emissionsBias;
  final LaneMatrix emissionsCov;

  LaneParameters(LaneMatrix initialMean, LaneMatrix initialCov, LaneMatrix dynamicsWeights, LaneMatrix dynamicsBias,
      LaneMatrix dynamicsCov, LaneMatrix emissionsWeights, LaneMatrix emissionsBias, LaneMatrix emissionsCov) {
    this.initialMean = initialMean;
    this.initialCov = initialCov;
    this.dynamicsWeights = dynamicsWeights;
    this.dynamicsBias = dynamicsBias;
    this.dynamicsCov = dynamicsCov;
    this.emissionsWeights = emissionsWeights;
    this.emissionsBias = emissionsBias;
    this.emissionsCov = emissionsCov;
  }

  /** Loads F_t, c_t and Q_t of the transition t → t+1 for lanes [0, active) (each has more than t+1 steps). */
  abstract void loadDynamics(int t, int active);

  /** Loads H_t, e_t and R_t for lanes [0, active) (each has more than t steps). */
  abstract void loadEmissions(int t, int active);

  /**
   * The cheapest exact form for the model's {@link StepForm} and this tile: F and Q from each lane's time gaps
   * ({@link GapParameters}), the explicit linear form with inputs ({@link InputParameters}), every model whose
   * parameters depend neither on time gaps nor inputs and are time-invariant ({@link SharedParameters}), and
   * anything else lane by lane through {@link StepParameters} ({@link GenericParameters}).
   */
  static LaneParameters bind(StateSpaceModel model, Tile tile, int width) {
    switch (binding(model, tile.bound[0])) {
      case GAPS:
        return new GapParameters((StepForm.TimeGaps) model.stepForm(), tile, width);
      case INPUTS:
        return new InputParameters(((StepForm.Constant) model.stepForm()).linear(), tile, width);
      case SHARED:
        return SharedParameters.of(tile.bound[0], tile.maxLength() > 1);
      default:
        return new GenericParameters(tile, width);
    }
  }

  /**
   * Which form {@link #bind} takes, from the model and the first lane's bound parameters. It also says what a
   * lane's covariance recursion depends on: for GAPS its time gaps and missing pattern, for INPUTS and SHARED
   * its missing pattern only (inputs move the biases, hence the means only), for GENERIC anything.
   */
  static Binding binding(StateSpaceModel model, StepParameters first) {
    StepForm form = model.stepForm();
    if (form instanceof StepForm.TimeGaps && model.usesTimeGaps() && model.inputDim() == 0) return Binding.GAPS;
    if (form instanceof StepForm.Constant constant && constant.linear().inputDim() > 0) return Binding.INPUTS;
    if (!model.usesTimeGaps() && model.inputDim() == 0 && first.timeInvariant()) return Binding.SHARED;
    return Binding.GENERIC;
  }

  /** The forms of {@link #bind}. */
  enum Binding { GAPS, INPUTS, SHARED, GENERIC }

  /** Parameters shared by all lanes and steps: loaded once, never refreshed. */
  static final class SharedParameters extends LaneParameters {
    private SharedParameters(LaneMatrix[] m) {
      super(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
    }

    /** @param hasTransitions false when every lane has one step (the dynamics are then never used) */
    static SharedParameters of(StepParameters params, boolean hasTransitions) {
      int n = params.stateDim();
      int m = params.obsDim();
      double[] mu0 = new double[n];
      double[] sigma0 = new double[n * n];
      params.initial(mu0, sigma0);
      double[] f = new double[n * n];
      double[] c = new double[n];
      double[] q = new double[n * n];
      if (hasTransitions) params.dynamics(0, f, c, q);
      double[] h = new double[m * n];
      double[] e = new double[m];
      double[] r = new double[m * m];
      params.emissions(0, h, e, r);
      return new SharedParameters(new LaneMatrix[] {LaneMatrix.shared(n, 1, mu0), LaneMatrix.shared(n, n, sigma0),
          LaneMatrix.shared(n, n, f), LaneMatrix.shared(n, 1, c), LaneMatrix.shared(n, n, q),
          LaneMatrix.shared(m, n, h), LaneMatrix.shared(m, 1, e), LaneMatrix.shared(m, m, r)});
    }

    @Override
    void loadDynamics(int t, int active) {}

    @Override
    void loadEmissions(int t, int active) {}
  }

  /**
   * F_t and Q_t from each lane's dt_t = time[t+1] - time[t] through the form's few scalar terms (one lane array
   * per term, read by every entry equal to it: all axes of the constant-velocity F read the same dt); H, R, μ0,
   * Σ0 and every entry without a term shared.
   */
  static final class GapParameters extends LaneParameters {
    private final Tile tile;
    private final StepForm.GapTerms terms;
    private final double[][] termLanes;

    GapParameters(StepForm.TimeGaps form, Tile tile, int width) {
      this(form, tile, width, SharedParameters.of(tile.bound[0], false), form.atUnitGap());
    }

    private GapParameters(StepForm.TimeGaps form, Tile tile, int width, SharedParameters fixed, LinearModel unit) {
      super(fixed.initialMean, fixed.initialCov, LaneMatrix.shared(unit.stateDim(), unit.stateDim(),
          unit.dynamicsWeights()), LaneMatrix.shared(unit.stateDim(), 1, unit.dynamicsBias()),
          LaneMatrix.shared(unit.stateDim(), unit.stateDim(), unit.dynamicsCov()), fixed.emissionsWeights,
          fixed.emissionsBias, fixed.emissionsCov);
      this.tile = tile;
      this.terms = form.terms();
      this.termLanes = new double[form.termCount()][width];
      attach(dynamicsWeights, form.weightTerm());
      attach(dynamicsCov, form.covTerm());
    }

    private void attach(LaneMatrix matrix, int[] termOf) {
      for (int e = 0; e < termOf.length; e++) {
        if (termOf[e] >= 0) matrix.lanes[e] = termLanes[termOf[e]];
      }
    }

    @Override
    void loadDynamics(int t, int active) {
      for (int l = 0; l < active; l++) {
        double[] times = tile.trajectories[l].times();
        terms.evaluate(times[t + 1] - times[t], termLanes, l);
      }
    }

    @Override
    void loadEmissions(int t, int active) {}
  }

  /**
   * The explicit linear form with inputs: F, Q, H, R, mu0, Sigma0 shared; c_t = b + B u_t and e_t = d + D u_t per
   * lane from the lane's inputs.
   */
  static final class InputParameters extends LaneParameters {
    private final Tile tile;
    private final int p;
    private final double[] b;
    private final double[] inputWeightsB;
    private final double[] d;
    private final double[] inputWeightsD;
    private final double[][] u;
    private final double[] rowCoef;

    InputParameters(LinearModel model, Tile tile, int width) {
      super(LaneMatrix.shared(model.stateDim(), 1, model.initialMean()),
          LaneMatrix.shared(model.stateDim(), model.stateDim(), model.initialCov()),
          LaneMatrix.shared(model.stateDim(), model.stateDim(), model.dynamicsWeights()),
          LaneMatrix.perLane(model.stateDim(), 1, width),
          LaneMatrix.shared(model.stateDim(), model.stateDim(), model.dynamicsCov()),
          LaneMatrix.shared(model.obsDim(), model.stateDim(), model.emissionsWeights()),
          LaneMatrix.perLane(model.obsDim(), 1, width),
          LaneMatrix.shared(model.obsDim(), model.obsDim(), model.emissionsCov()));
      this.tile = tile;
      this.p = model.inputDim();
      this.b = model.dynamicsBias();
      this.inputWeightsB = model.dynamicsInputWeights();
      this.d = model.emissionsBias();
      this.inputWeightsD = model.emissionsInputWeights();
      this.u = LaneAlgebra.general(p, 1, width);
      this.rowCoef = new double[p];
    }

    @Override
    void loadDynamics(int t, int active) {
      loadInputs(t, active);
      inputTerm(b, inputWeightsB, dynamicsBias, active);
    }

    @Override
    void loadEmissions(int t, int active) {
      loadInputs(t, active);
      inputTerm(d, inputWeightsD, emissionsBias, active);
    }

    private void loadInputs(int t, int active) {
      for (int l = 0; l < active; l++) {
        double[] in = tile.trajectories[l].inputs();
        for (int j = 0; j < p; j++) u[j][l] = in[t * p + j];
      }
    }

    /** out_i = bias_i + Σ_j W_ij u_j per lane. */
    private void inputTerm(double[] bias, double[] w, LaneMatrix out, int active) {
      for (int i = 0; i < out.rows; i++) {
        double[] o = out.lanes[i];
        LaneLoops.fill(o, bias[i], active);
        System.arraycopy(w, i * p, rowCoef, 0, p);
        LaneLoops.scaledSum(o, o, rowCoef, u, p, active);
      }
    }
  }

  /** Any model, lane by lane: each lane's {@link StepParameters} written into per-lane entries. */
  static final class GenericParameters extends LaneParameters {
    private final Tile tile;
    private final int n;
    private final int m;
    private final double[] f;
    private final double[] c;
    private final double[] q;
    private final double[] h;
    private final double[] e;
    private final double[] r;

    GenericParameters(Tile tile, int width) {
      super(LaneMatrix.perLane(tile.bound[0].stateDim(), 1, width),
          LaneMatrix.perLane(tile.bound[0].stateDim(), tile.bound[0].stateDim(), width),
          LaneMatrix.perLane(tile.bound[0].stateDim(), tile.bound[0].stateDim(), width),
          LaneMatrix.perLane(tile.bound[0].stateDim(), 1, width),
          LaneMatrix.perLane(tile.bound[0].stateDim(), tile.bound[0].stateDim(), width),
          LaneMatrix.perLane(tile.bound[0].obsDim(), tile.bound[0].stateDim(), width),
          LaneMatrix.perLane(tile.bound[0].obsDim(), 1, width),
          LaneMatrix.perLane(tile.bound[0].obsDim(), tile.bound[0].obsDim(), width));
      this.tile = tile;
      this.n = tile.bound[0].stateDim();
      this.m = tile.bound[0].obsDim();
      f = new double[n * n];
      c = new double[n];
      q = new double[n * n];
      h = new double[m * n];
      e = new double[m];
      r = new double[m * m];
      double[] mu0 = new double[n];
      double[] sigma0 = new double[n * n];
      for (int l = 0; l < tile.count; l++) {
        tile.bound[l].initial(mu0, sigma0);
        scatter(mu0, initialMean, l);
        scatter(sigma0, initialCov, l);
      }
    }

    private static void scatter(double[] values, LaneMatrix to, int lane) {
      for (int k = 0; k < values.length; k++) to.lanes[k][lane] = values[k];
    }

    @Override
    void loadDynamics(int t, int active) {
      for (int l = 0; l < active; l++) {
        tile.bound[l].dynamics(t, f, c, q);
        scatter(f, dynamicsWeights, l);
        scatter(c, dynamicsBias, l);
        scatter(q, dynamicsCov, l);
      }
    }

    @Override
    void loadEmissions(int t, int active) {
      for (int l = 0; l < active; l++) {
        tile.bound[l].emissions(t, h, e, r);
        scatter(h, emissionsWeights, l);
        scatter(e, emissionsBias, l);
        scatter(r, emissionsCov, l);
      }
    }
  }
}
