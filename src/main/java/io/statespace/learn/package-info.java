/**
 * Fitting linear-Gaussian state-space models over many trajectories: the Spark-free core of the
 * {@code fit} job. Nothing here knows about Spark; the driver only broadcasts serialisable descriptions,
 * folds worker-side evaluators over partitions and merges their accumulators.
 *
 * <h2>Parameters</h2>
 * The model family (registry {@code io.statespace.family.Families#parameterization}, above this package) turns
 * a model file and its {@code fit.free} list into a {@link io.statespace.learn.Parameterization}: unconstrained θ (log for
 * positive scalars, log-Cholesky for covariances) to the family's own model class and back, names,
 * natural-unit values for reports, and the chain rule from per-step matrix gradients to dL/dθ.
 * {@code fittedSpec(spec, θ).toJson()} is the fitted model file (a valid input of {@code smooth}).
 *
 * <h2>One gradient-based iteration in the driver</h2>
 * <pre>
 *   LossFunction loss = LossFunction.negativeLogLikelihood(param);          // or prediction(param, ρ, seed, feedback)
 *   Objective objective = new Objective() {                                  // one distributed job per call
 *     public Evaluation evaluate(double[] θ) { return evaluate(θ, 0); }       // L-BFGS: fixed epoch-0 masks
 *     public Evaluation evaluate(double[] θ, long epoch) {                   // Adam: fresh masks per iteration
 *       LossAccumulator total = blocks.mapPartitions(it -> {
 *           LossEvaluator ev = loss.evaluator(θ, epoch);                    // scratch: one per partition
 *           LossAccumulator acc = loss.zero();
 *           it.forEachRemaining(t -> ev.add(t, acc));
 *           return List.of(acc).iterator(); })
 *         .treeReduce(LossAccumulator::merge);
 *       return total.evaluation();                                           // loss, gradient; +∞ after a failure
 *     }
 *   };
 *   FitLoop loop = new FitLoop(new Lbfgs(objective), rules, row -> { log(row); write(loop.snapshot()); });
 *   FitResult result = resume ? loop.resume(checkpoint) : loop.run(param.initial());
 * </pre>
 * EM is the same shape with {@link io.statespace.learn.ExpectationEvaluator} folding
 * {@link io.statespace.learn.EmStatistics} (an {@link io.statespace.learn.ExpectationStep}) and
 * {@link io.statespace.learn.EmOptimizer}, a family's sums and M-step in its
 * {@link io.statespace.learn.ExpectationMaximization}; Adam with {@link io.statespace.learn.Adam}. Standard errors:
 * {@link io.statespace.learn.StandardErrors#compute} with the negative log-likelihood objective (the observed
 * information, or the cluster sandwich from per-trajectory scores; 2p or 2p+1 points in one pass when the objective
 * evaluates points together).
 *
 * <h2>Invariants the tests hold</h2>
 * Every gradient equals central finite differences to 1e-6 relative (in practice about 1e-10); the Fisher
 * and adjoint gradients agree to rounding; any split and merge order of the accumulators equals the local
 * fold to 1e-12; EM never lowers the likelihood and reaches L-BFGS's optimum; a resumed fit equals an
 * uninterrupted one bit for bit; dropout masks depend only on (seed, id, step, epoch).
 */
package io.statespace.learn;
