package io.statespace.ml;

import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.FitJob;
import io.statespace.spark.FitReport;
import io.statespace.spark.FitSettings;
import io.statespace.spark.InputSource;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Fits the model file's free parameters to every trajectory of a DataFrame, as a Spark ML {@link Estimator}: the
 * {@code fit} job's driver loop (each evaluation one broadcast and treeAggregate over cached trajectory blocks,
 * one progress line per iteration in the log) on a Dataset, with the job's parameters and defaults. The result
 * is a {@link StateSpaceFitModel} that smooths with the fitted parameters and carries a {@link FitSummary}.
 * The fit's checkpoints and work files go to {@link #checkpointDir} (on a cluster: a shared file system), in a
 * directory of their own that is deleted afterwards.
 */
public final class StateSpaceEstimator extends Estimator<StateSpaceFitModel>
    implements SmoothingParams<StateSpaceEstimator>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  /** Where the work files go when {@link #checkpointDir} is not set, on Hadoop's default file system. */
  public static final String DEFAULT_WORK_DIR = "/tmp/statespace-ml";

  private final String uid;
  private final SmoothingParamSet params;
  private final StringArrayParam free;
  private final Param<String> loss;
  private final Param<String> optimizer;
  private final Param<String> fitEngine;
  private final IntParam maxIter;
  private final DoubleParam tol;
  private final DoubleParam relativeTol;
  private final LongParam seed;
  private final DoubleParam dropout;
  private final BooleanParam feedback;
  private final DoubleParam learningRate;
  private final BooleanParam standardErrors;
  private final Param<String> standardErrorsMethod;
  private final BooleanParam curvature;
  private final Param<String> checkpointDir;

  public StateSpaceEstimator() {
    this(Identifiable$.MODULE$.randomUID("stateSpaceEstimator"));
  }

  /** With a given uid (Spark ML's copy and load use this). */
  public StateSpaceEstimator(String uid) {
    this.uid = uid;
    this.params = new SmoothingParamSet(this);
    free = new StringArrayParam(this, "free", "free parameters (default: the model file's fit.free)");
    loss = new Param<>(this, "loss", "nll (maximum likelihood) or prediction (one-step-ahead MSE)",
        ParamValidators.inArray(List.of("nll", "prediction")));
    optimizer = new Param<>(this, "optimizer", "lbfgs, adam or em", ParamValidators.inArray(List.of("lbfgs", "adam", "em")));
    fitEngine = new Param<>(this, "fitEngine", "EM's E-step: auto (= batched), batched or sequential; lbfgs and adam: auto or "
        + "sequential (fit --engine)", ParamValidators.inArray(List.of("auto", "batched", "sequential")));
    maxIter = new IntParam(this, "maxIter", "iteration limit", ParamValidators.gtEq(0));
    tol = new DoubleParam(this, "tol", "stop when |gradient|inf <= tol * max(1, |loss|)", ParamValidators.gtEq(0));
    relativeTol = new DoubleParam(this, "relativeTol", "stop when the loss changes by less than this, relative", ParamValidators.gtEq(0));
    seed = new LongParam(this, "seed", "seed of the dropout masks");
    dropout = new DoubleParam(this, "dropout", "prediction loss: probability a step is hidden from the filter, in [0, 1)",
        ParamValidators.inRange(0, 1, true, false));
    feedback = new BooleanParam(this, "feedback", "prediction loss: update with the prediction at dropped steps");
    learningRate = new DoubleParam(this, "learningRate", "Adam's step size in theta", ParamValidators.gt(0));
    standardErrors = new BooleanParam(this, "standardErrors", "standard errors from the observed information (nll only)");
    standardErrorsMethod = new Param<>(this, "standardErrorsMethod", "oim (inverse observed information) or robust (cluster "
        + "sandwich over trajectories) (fit --standard-errors)", ParamValidators.inArray(List.of("oim", "robust")));
    curvature = new BooleanParam(this, "curvature", "eigen-decomposition of the loss's Hessian at the optimum");
    checkpointDir = new Param<>(this, "checkpointDir", "directory for the fit's checkpoints and work files (default "
        + DEFAULT_WORK_DIR + " on Hadoop's default file system)");
    setDefault(loss, "nll");
    setDefault(optimizer, "lbfgs");
    setDefault(fitEngine, "auto");
    setDefault(maxIter, 100);
    setDefault(tol, 1e-6);
    setDefault(relativeTol, 1e-10);
    setDefault(seed, 0L);
    setDefault(dropout, 0.0);
    setDefault(feedback, false);
    setDefault(learningRate, 0.05);
    setDefault(standardErrors, true);
    setDefault(standardErrorsMethod, "oim");
    setDefault(curvature, false);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public SmoothingParamSet smoothingParamSet() {
    return params;
  }

  /**
   * Runs the fit job's core on the rows; the model smooths with the fitted parameters and the same smoothing
   * parameters as this estimator.
   *
   * @throws IllegalArgumentException (before any Spark job) for a bad parameter or column
   */
  @Override
  public StateSpaceFitModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    SparkSession spark = dataset.sparkSession();
    ModelSpec spec = Smoothing.spec(this);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String name = "fit-" + UUID.randomUUID();
    String base = isDefined(checkpointDir) ? getCheckpointDir() : DEFAULT_WORK_DIR;
    String work = new Path(base, name).toString();
    FitSettings settings = FitChoices.settings(this, spec,
        new FitSettings.Paths("DataFrame", "dataset", work, "parquet", getPartitions(), false));
    FitReport report;
    String fitted;
    String history;
    try {
      report = FitJob.run(spark, settings, InputSource.of(dataset.toDF(), spec.columns()));
      fitted = HadoopText.read(new Path(work, "model.json").toString());
      history = HadoopText.read(new Path(work, "history.csv").toString());
    } finally {
      HadoopText.deleteOwn(work, conf);
      HadoopText.deleteOwn(new Path(base, "." + name + ".checkpoint").toString(), conf);
    }
    StateSpaceFitModel model = copyValues(new StateSpaceFitModel(uid), ParamMap.empty());
    model.setModelJson(fitted);
    model.setParent(this);
    return model.withSummary(new FitSummary(report, history));
  }

  /** The schema of the fitted model's {@code transform}; checks the columns before any job. */
  @Override
  public StructType transformSchema(StructType schema) {
    return Smoothing.schema(this, schema);
  }

  @Override
  public StateSpaceEstimator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<StateSpaceEstimator> read() {
    return new DefaultParamsReader<>();
  }

  public static StateSpaceEstimator load(String path) {
    return read().load(path);
  }

  public StringArrayParam free() {
    return free;
  }

  public Param<String> loss() {
    return loss;
  }

  public Param<String> optimizer() {
    return optimizer;
  }

  public Param<String> fitEngine() {
    return fitEngine;
  }

  public IntParam maxIter() {
    return maxIter;
  }

  public DoubleParam tol() {
    return tol;
  }

  public DoubleParam relativeTol() {
    return relativeTol;
  }

  public LongParam seed() {
    return seed;
  }

  public DoubleParam dropout() {
    return dropout;
  }

  public BooleanParam feedback() {
    return feedback;
  }

  public DoubleParam learningRate() {
    return learningRate;
  }

  public BooleanParam standardErrors() {
    return standardErrors;
  }

  public Param<String> standardErrorsMethod() {
    return standardErrorsMethod;
  }

  public BooleanParam curvature() {
    return curvature;
  }

  public Param<String> checkpointDir() {
    return checkpointDir;
  }

  public StateSpaceEstimator setFree(String[] names) {
    set(free, names);
    return this;
  }

  public StateSpaceEstimator setLoss(String value) {
    set(loss, value);
    return this;
  }

  public StateSpaceEstimator setOptimizer(String value) {
    set(optimizer, value);
    return this;
  }

  public StateSpaceEstimator setFitEngine(String value) {
    set(fitEngine, value);
    return this;
  }

  public StateSpaceEstimator setMaxIter(int value) {
    set(maxIter, value);
    return this;
  }

  public StateSpaceEstimator setTol(double value) {
    set(tol, value);
    return this;
  }

  public StateSpaceEstimator setRelativeTol(double value) {
    set(relativeTol, value);
    return this;
  }

  public StateSpaceEstimator setSeed(long value) {
    set(seed, value);
    return this;
  }

  public StateSpaceEstimator setDropout(double value) {
    set(dropout, value);
    return this;
  }

  public StateSpaceEstimator setFeedback(boolean value) {
    set(feedback, value);
    return this;
  }

  public StateSpaceEstimator setLearningRate(double value) {
    set(learningRate, value);
    return this;
  }

  public StateSpaceEstimator setStandardErrors(boolean value) {
    set(standardErrors, value);
    return this;
  }

  public StateSpaceEstimator setStandardErrorsMethod(String value) {
    set(standardErrorsMethod, value);
    return this;
  }

  public StateSpaceEstimator setCurvature(boolean value) {
    set(curvature, value);
    return this;
  }

  public StateSpaceEstimator setCheckpointDir(String value) {
    set(checkpointDir, value);
    return this;
  }

  /** The free parameters set here, else null (the model file's). */
  public String[] getFree() {
    return isDefined(free) ? getOrDefault(free).clone() : null;
  }

  public String getLoss() {
    return getOrDefault(loss);
  }

  public String getOptimizer() {
    return getOrDefault(optimizer);
  }

  public String getFitEngine() {
    return getOrDefault(fitEngine);
  }

  public int getMaxIter() {
    return (Integer) getOrDefault(maxIter);
  }

  public double getTol() {
    return (Double) getOrDefault(tol);
  }

  public double getRelativeTol() {
    return (Double) getOrDefault(relativeTol);
  }

  public long getSeed() {
    return (Long) getOrDefault(seed);
  }

  public double getDropout() {
    return (Double) getOrDefault(dropout);
  }

  public boolean getFeedback() {
    return (Boolean) getOrDefault(feedback);
  }

  public double getLearningRate() {
    return (Double) getOrDefault(learningRate);
  }

  public boolean getStandardErrors() {
    return (Boolean) getOrDefault(standardErrors);
  }

  public String getStandardErrorsMethod() {
    return getOrDefault(standardErrorsMethod);
  }

  public boolean getCurvature() {
    return (Boolean) getOrDefault(curvature);
  }

  /** The directory set here, else null ({@link #DEFAULT_WORK_DIR}). */
  public String getCheckpointDir() {
    return isDefined(checkpointDir) ? getOrDefault(checkpointDir) : null;
  }
}
