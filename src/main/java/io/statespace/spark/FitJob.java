package io.statespace.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.family.Families;
import io.statespace.learn.Adam;
import io.statespace.learn.EmOptimizer;
import io.statespace.learn.FitLoop;
import io.statespace.learn.FitResult;
import io.statespace.learn.HistoryRow;
import io.statespace.learn.Lbfgs;
import io.statespace.learn.LossFunction;
import io.statespace.learn.Objective;
import io.statespace.learn.Optimizer;
import io.statespace.learn.Parameterization;
import io.statespace.learn.StandardErrors;
import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code fit} job (docs/ARCHITECTURE.md §3): read and validate rows exactly as {@code smooth} does, group
 * them into trajectory blocks once and cache them, then run the optimiser on the driver, every objective
 * evaluation (or EM E-step) being one broadcast + treeAggregate over the blocks. Every iteration logs one
 * progress line (also the Spark UI's job description) and writes an atomic checkpoint, so that
 * {@code --resume} continues a killed run. The fitted model file, history.csv, report.json and the
 * quarantine are committed atomically at the end.
 */
public final class FitJob {
  private static final Logger LOG = LoggerFactory.getLogger(FitJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TREE_DEPTH = 2;

  private FitJob() {}

  public static FitReport run(SparkSession spark, FitSettings s) {
    return run(spark, s, SegmentSteps.auto());
  }

  /** As above, a trajectory longer than {@code segmentSteps} evaluated in segments across tasks (§7.5). */
  public static FitReport run(SparkSession spark, FitSettings s, SegmentSteps segmentSteps) {
    return run(spark, s, InputSource.read(spark, s.paths().input(), s.paths().format(), s.spec().columns()), segmentSteps);
  }

  /**
   * The fit of rows already at hand (the library API's Dataset: {@link InputSource#of}); {@code s.paths().input()}
   * then only names them in messages and in the checkpoint's fingerprint.
   */
  public static FitReport run(SparkSession spark, FitSettings s, InputSource source) {
    return run(spark, s, source, SegmentSteps.auto());
  }

  /** As above, a trajectory longer than {@code segmentSteps} evaluated in segments across tasks (§7.5). */
  public static FitReport run(SparkSession spark, FitSettings s, InputSource source, SegmentSteps segmentSteps) {
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Columns columns = s.spec().columns();
    Parameterization param = Families.parameterization(s.spec());
    CheckpointStore checkpoints = new CheckpointStore(s.paths().output(), jsc.hadoopConfiguration());
    AtomicOutput.checkDisjoint("checkpoint directory", checkpoints.location(), jsc.hadoopConfiguration(), s.paths().input());
    String fingerprint = s.fingerprint();
    checkCheckpoint(checkpoints, s, fingerprint);
    String resumeFrom = s.extras().resume() ? resumable(checkpoints, fingerprint) : null;
    Provenance provenance = Provenance.start(spark, "fit", s.paths().input(), s.paths().format(), s.spec().toJson(),
        Provenance.options(s));
    AtomicOutput out = AtomicOutput.open(s.paths().output(), s.paths().overwrite(), jsc.hadoopConfiguration(), s.paths().input());
    provenance = provenance.withSweep(out.sweep());
    if (s.extras().restart() && checkpoints.exists()) {
      checkpoints.delete();
      LOG.warn("fit: --restart: deleted the checkpoint {} of an earlier run; starting from the model file", checkpoints.location());
    }
    JavaRDD<FitItem> items = null;
    DistributedObjective objective = null;
    SegmentedFit segments = null;
    boolean committed = false;
    try {
      int partitions = s.paths().partitions() > 0 ? s.paths().partitions() : Math.max(1, jsc.defaultParallelism());
      LossFunction loss = s.objective().function(param).withEngine(s.search().smoother() == FitSettings.Smoother.BATCHED
          ? LossFunction.Engine.BATCHED : LossFunction.Engine.SEQUENTIAL);
      jsc.setJobDescription("fit: read, validate and group trajectories; check each at the starting point");
      segments = SegmentedFit.prepare(spark, source, columns, param, loss, s.search().method() == FitSettings.Method.EM,
          param.initial(), segmentSteps, Long.MAX_VALUE); // the rows are counted while parsed below: always look
      InputRowCount inputRows = new InputRowCount();
      jsc.sc().register(inputRows, "fit: input rows");
      items = assemble(source, columns, s.spec().model().obsDim(), s.spec().model().inputDim(), partitions,
          new StartingPointScreen(loss, param.initial(), columns), segments.oneTask(), inputRows);
      FitAccounting counts = FitAccounting.of(segments.withQuarantine(items));
      counts.rowsUsed += segments.rowsUsed();
      counts.trajectories += segments.trajectories();
      long rowsIn = inputRows.total();
      if (rowsIn != counts.rowsUsed + counts.rowsQuarantined) {
        throw new IllegalStateException("row accounting failed: rows in " + rowsIn + " != rows used " + counts.rowsUsed
            + " + rows quarantined " + counts.rowsQuarantined);
      }
      s.extras().quarantineLimit().check("fit", rowsIn, counts.rowsQuarantined, counts.byReason);
      FitReport.LeftOut leftOut = leftOut(counts);
      if (counts.trajectories == 0) {
        throw new InputException("input " + s.paths().input() + ": no trajectory left to fit (" + rowsIn + " rows, "
            + counts.rowsQuarantined + " quarantined: " + new java.util.TreeMap<>(counts.byReason) + ")");
      }
      LOG.info("fit: {} trajectories, {} rows ({} quarantined) in {} partitions; {} free parameters: {}", counts.trajectories,
          counts.rowsUsed, counts.rowsQuarantined, partitions, param.size(), String.join(", ", param.names()));
      JavaRDD<TrajectoryBlock> blocks = items.filter(FitItem::isBlock).map(i -> i.block);
      String engineDecision = s.search().method() != FitSettings.Method.EM
          ? loss.engine() == LossFunction.Engine.BATCHED
              ? "loss and exact gradient by reverse-mode differentiation through the batched Kalman filter, each block's "
                  + "trajectories in lockstep lanes, the covariance half once per group of trajectories that share it "
                  + "(the default; the sequential adjoint takes over, counted in report.json's "
                  + "gradient_trajectories_by_engine, tiles under " + io.statespace.inference.batched.BatchedEngine.MIN_LOCKSTEP_LANES
                  + " lanes and any tile where a lane fails numerically)"
              : "loss and exact gradient per trajectory by reverse-mode differentiation through the sequential Kalman filter "
                  + "(--engine sequential)"
          : s.search().smoother() == FitSettings.Smoother.BATCHED
              ? "each E-step smooths every block in lockstep with the batched engine (the fastest per core; the sequential "
                  + "engine takes over, with a WARN line, each trajectory the batched engine fails on numerically)"
              : "each E-step smooths trajectory by trajectory with the sequential engine (--engine sequential)";
      LOG.info("fit: {}", engineDecision);
      provenance = provenance.withDecision("engine", engineDecision).withDecision("backend", "cpu: fit evaluates on the CPU");

      objective = new DistributedObjective(jsc, blocks, loss, TREE_DEPTH);
      DistributedExpectationStep eStep = s.search().method() == FitSettings.Method.EM
          ? new DistributedExpectationStep(jsc, blocks, Families.expectationMaximization(s.spec().model(), param), TREE_DEPTH,
              s.search().smoother() == FitSettings.Smoother.BATCHED)
          : null;
      Objective fitObjective = segments.objective(objective, loss);
      Optimizer optimizer = optimizer(s, param, fitObjective, segments.expectation(eStep));
      FitLoop[] loop = new FitLoop[1];
      loop[0] = new FitLoop(optimizer, s.search().stopRules(), row -> {
        String line = progressLine(s, row);
        LOG.info(line);
        jsc.setJobDescription(line);
        checkpoints.save(row.iteration(), checkpoint(fingerprint, loop[0].snapshot()));
      });
      long fitStart = System.nanoTime();
      FitResult result = resumeFrom != null ? loop[0].resume(resumeFrom) : loop[0].run(param.initial());
      double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
      long evaluations = optimizer.evaluations();
      double engineSeconds = objective.engineSeconds() + (eStep == null ? 0.0 : eStep.engineSeconds());
      LOG.info("fit: stopped after {} iterations: {}{}", result.iterations(), result.reason().key(),
          result.note() == null ? "" : " (" + result.note() + ")");
      Map<String, Long> eStepEngines = optimizer instanceof EmOptimizer em && em.statistics() != null
          ? em.statistics().trajectoriesByEngine() : Map.of();
      if (!eStepEngines.isEmpty()) LOG.info("fit: the last E-step's trajectories by engine: {}", eStepEngines);

      StandardErrors.Result errors = null;
      String errorsNote;
      double errorsSeconds = 0.0;
      long errorsPasses = 0;
      if (s.objective().loss() != LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD) {
        errorsNote = "not computed: standard errors come from the observed information of the likelihood (--loss nll)";
      } else if (!s.extras().standardErrors()) {
        errorsNote = "not computed (--no-standard-errors)";
      } else {
        StandardErrors.Kind kind = s.extras().standardErrorsKind();
        String what = 2 * param.size() + " gradient evaluations (central differences over " + param.size()
            + " free parameters)" + (kind == StandardErrors.Kind.ROBUST ? " and the per-trajectory scores at the optimum" : "")
            + " in one distributed pass";
        LOG.info("fit: computing standard errors: {}", what);
        jsc.setJobDescription("fit: computing standard errors: " + what);
        long errorsStart = System.nanoTime();
        long passesBefore = objective.passes();
        errors = StandardErrors.compute(fitObjective, param, result.theta(), kind);
        errorsSeconds = (System.nanoTime() - errorsStart) / 1e9;
        errorsPasses = objective.passes() - passesBefore;
        LOG.info("fit: standard errors from {} gradients in {} distributed pass(es), {} s", 2 * param.size(), errorsPasses,
            String.format(Locale.ROOT, "%.2f", errorsSeconds));
        errorsNote = !errors.ok() ? errors.message() : kind == StandardErrors.Kind.ROBUST
            ? "robust: the cluster (per-trajectory) sandwich H^-1 (sum of s_i s_i') H^-1, H the observed information "
                + "(central differences of the exact gradient), s_i each trajectory's exact score; delta method from theta"
            : "from the observed information (central differences of the exact gradient); delta method from theta";
      }
      Map<String, Long> gradientEngines = segments.engines(objective.trajectoriesByEngine());
      if (!gradientEngines.isEmpty()) LOG.info("fit: the last evaluation's trajectories by engine: {}", gradientEngines);

      jsc.setJobDescription("fit: gradient at the starting point");
      io.statespace.learn.LossAccumulator atStart = segments.accumulate(objective, loss, param.initial());
      double[] initialGradient = atStart.gradient();
      double withoutDropout = lossWithoutDropout(jsc, blocks, s, param, loss, result.theta());
      FitReport.Curvature curvature = null;
      if (s.extras().curvature()) {
        jsc.setJobDescription("fit: curvature of the loss at the optimum");
        curvature = Curvatures.at(fitObjective, param, result.theta());
      }
      out.writeText("model.json", param.fittedSpec(s.spec().withColumns(source.columns()), result.theta()).toJson());
      out.writeText("history.csv", HistoryRow.csv(result.history(), param));
      writeQuarantine(spark, segments.withQuarantine(items), columns, s.paths().outputFormat(), out.part("quarantine"));
      FitReport report = new FitReport(s.objective().loss().key(), s.search().method().key, result.history().get(0).loss(),
          result.evaluation().loss(), result.evaluation().gradientNorm(), result.iterations(), result.reason().key(),
          result.note(), evaluations, (System.nanoTime() - start) / 1e9, fitSeconds, engineSeconds,
          jsc.defaultParallelism(), parameters(param, result.theta(), errors, initialGradient), errorsNote, rowsIn,
          counts.rowsUsed, counts.rowsQuarantined, counts.byReason, counts.trajectories, resumeFrom != null, out.target(),
          curvature, eStepEngines, source.inputFiles(), leftOut).withEvaluationCost(gradientEngines, errorsSeconds, errorsPasses)
          .with(provenance.end())
          .withAssessment(new FitReport.Assessment(atStart.components(), param.size(),
              s.extras().standardErrors() ? s.extras().standardErrorsKind().key() : null, withoutDropout));
      for (String warning : report.warnings()) LOG.warn("fit: {}", warning);
      out.writeText("report.json", report.toJson());
      out.commit();
      committed = true;
      checkpoints.delete();
      LOG.info("fit: {}", report.summaryLine());
      return report;
    } finally {
      if (!committed) out.abortQuietly();
      if (objective != null) objective.close();
      if (segments != null) segments.close();
      if (items != null) items.unpersist();
      jsc.setJobDescription(null);
    }
  }

  /**
   * Rows → validated rows → one shuffle by id, sorted by time → cached blocks of trajectories and
   * quarantine items (the same front end as {@code smooth}).
   */
  static JavaRDD<FitItem> assemble(InputSource source, Columns columns, int obsDim, int inputDim, int partitions) {
    return assemble(source, columns, obsDim, inputDim, partitions, null);
  }

  /** As above, with the trajectories {@code screen} rejects at the starting point quarantined (null: none). */
  static JavaRDD<FitItem> assemble(InputSource source, Columns columns, int obsDim, int inputDim, int partitions,
      StartingPointScreen screen) {
    return assemble(source, columns, obsDim, inputDim, partitions, screen, org.apache.spark.sql.functions.lit(true), null);
  }

  /**
   * As above, only the parsed rows for which {@code keep} holds (the segmented path takes the others), with the
   * input rows counted into {@code inputRows} as they are parsed (null: not counted).
   */
  static JavaRDD<FitItem> assemble(InputSource source, Columns columns, int obsDim, int inputDim, int partitions,
      StartingPointScreen screen, org.apache.spark.sql.Column keep, InputRowCount inputRows) {
    Dataset<Row> input = source.rows();
    StructType parsedSchema = ParsedRows.schema(input.schema(), columns);
    org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row> parse =
        new ParsedRows(columns, input.schema(), source.corruptColumn());
    return input.mapPartitions(inputRows == null ? parse : inputRows.counting(parse), Encoders.row(parsedSchema))
        .filter(keep)
        .repartition(partitions, coalesce(col(ParsedRows.KEY), col(ParsedRows.RAW)))
        .sortWithinPartitions(col(ParsedRows.KEY).asc_nulls_first(), col(ParsedRows.TIME))
        .toJavaRDD()
        .mapPartitions(new FitBlocks(columns, obsDim, inputDim, screen))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * The trajectories left out because they cannot be evaluated at the starting point ("id (reason)",
   * sorted, at most {@link FitReport#LISTED_IDS}), with their number; logged and reported.
   */
  private static FitReport.LeftOut leftOut(FitAccounting counts) {
    List<String> first = counts.leftOutListed();
    long count = counts.leftOutCount;
    if (count > 0) {
      LOG.warn("fit: {} trajectory(ies) cannot be evaluated at the starting point and went to quarantine/ with all their rows: {}{}",
          count, String.join(", ", first), count > first.size() ? ", ..." : "");
    }
    return new FitReport.LeftOut(count, first);
  }

  /**
   * The prediction loss without dropout at θ (one more distributed pass) when the fit's loss is the prediction
   * loss with dropout: what the fitted filter does on the data it will see; NaN otherwise.
   */
  private static double lossWithoutDropout(JavaSparkContext jsc, JavaRDD<TrajectoryBlock> blocks, FitSettings s,
      Parameterization param, LossFunction loss, double[] theta) {
    if (s.objective().loss() != LossFunction.Kind.PREDICTION || !(s.objective().dropout() > 0)) return Double.NaN;
    jsc.setJobDescription("fit: the prediction loss without dropout at the fitted parameters");
    DistributedObjective plain = new DistributedObjective(jsc, blocks,
        LossFunction.prediction(param, 0.0, s.objective().seed(), false).withEngine(loss.engine()), TREE_DEPTH);
    try {
      return plain.evaluate(theta).loss();
    } finally {
      plain.close();
    }
  }

  private static Optimizer optimizer(FitSettings s, Parameterization param, Objective objective,
      io.statespace.learn.ExpectationStep eStep) {
    switch (s.search().method()) {
      case LBFGS:
        return new Lbfgs(objective);
      case ADAM:
        return new Adam(objective, s.search().learningRate());
      default:
        return new EmOptimizer(Families.expectationMaximization(s.spec().model(), param), eStep);
    }
  }

  /**
   * Refuses (one line naming the checkpoint, exit 2) a fit whose output already has a checkpoint of an earlier run,
   * unless --resume continues it or --restart deletes it: a rerun must not silently replace a long run's progress.
   * Called before Spark starts by the CLI, and again by {@link #run}.
   */
  public static void checkCheckpoint(FitSettings s, org.apache.hadoop.conf.Configuration conf) {
    CheckpointStore checkpoints = new CheckpointStore(s.paths().output(), conf);
    checkCheckpoint(checkpoints, s, s.fingerprint());
  }

  private static void checkCheckpoint(CheckpointStore checkpoints, FitSettings s, String fingerprint) {
    if (s.extras().resume() || s.extras().restart() || !checkpoints.exists()) return;
    String whose;
    try {
      String text = checkpoints.latest();
      whose = text != null && fingerprint.equals(JSON.readTree(text).path("fingerprint").asText())
          ? "of this fit" : "of a different fit (model file, loss, optimiser, seed, dropout or input differ)";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      whose = "that cannot be read";
    }
    throw new CheckpointMismatch("checkpoint " + checkpoints.location() + " holds an earlier run " + whose
        + "; pass --resume to continue it or --restart to delete it and start from the model file");
  }

  static String progressLine(FitSettings s, HistoryRow row) {
    return String.format(Locale.ROOT, "fit %s/%s iteration %d: loss %.10g, |gradient| %.3g, step %.3g, %.1f s",
        s.objective().loss().key(), s.search().method().key, row.iteration(), row.loss(), row.gradientNorm(), row.step(), row.seconds());
  }

  private static String checkpoint(String fingerprint, String snapshot) {
    try {
      ObjectNode root = JSON.createObjectNode();
      root.put("fingerprint", fingerprint);
      root.set("fit", JSON.readTree(snapshot));
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The loop snapshot of the latest checkpoint when it belongs to this fit; null (fresh start) when none exists. */
  private static String resumable(CheckpointStore checkpoints, String fingerprint) {
    String text = checkpoints.latest();
    if (text == null) {
      LOG.warn("fit: --resume, but no checkpoint in {}; starting from the model file", checkpoints.location());
      return null;
    }
    try {
      JsonNode root = JSON.readTree(text);
      if (!fingerprint.equals(root.path("fingerprint").asText())) {
        throw new CheckpointMismatch("--resume: the checkpoint in " + checkpoints.location() + " belongs to a different fit "
            + "(model file, loss, optimiser, seed, dropout or input changed); run without --resume to start over");
      }
      LOG.info("fit: resuming from {}", checkpoints.location());
      return JSON.writeValueAsString(root.get("fit"));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CheckpointMismatch("--resume: unreadable checkpoint in " + checkpoints.location() + ": " + e.getOriginalMessage());
    }
  }

  private static List<FitReport.Parameter> parameters(Parameterization param, double[] theta, StandardErrors.Result errors,
      double[] initialGradient) {
    double[] initial = param.natural(param.initial());
    double[] fitted = param.natural(theta);
    List<String> names = param.naturalNames();
    List<FitReport.Parameter> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      double se = errors == null || !errors.ok() ? Double.NaN : errors.naturalStandardErrors()[i];
      out.add(new FitReport.Parameter(names.get(i), initial[i], fitted[i], se, param.names().get(i), initialGradient[i]));
    }
    return out;
  }

  private static void writeQuarantine(SparkSession spark, JavaRDD<FitItem> items, Columns columns, String format, String path) {
    StructType schema = new StructType()
        .add(columns.id(), DataTypes.StringType).add(columns.time(), DataTypes.StringType)
        .add(UnionRows.REASON_CODE, DataTypes.StringType).add(UnionRows.REASON, DataTypes.StringType)
        .add(UnionRows.RAW, DataTypes.StringType);
    JavaRDD<Row> rows = items.filter(i -> !i.isBlock()).map(i -> RowFactory.create((Object[]) i.rejected));
    SmoothJob.write(spark.createDataFrame(rows, schema), format, path);
  }

  /** A checkpoint that cannot be resumed into this fit, or one in the way of a fresh start: a usage error. */
  public static final class CheckpointMismatch extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    CheckpointMismatch(String message) {
      super(message);
    }
  }
}
