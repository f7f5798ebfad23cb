package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.learn.EmStatistics;
import io.statespace.learn.Evaluation;
import io.statespace.learn.ExpectationEvaluator;
import io.statespace.learn.LinearParameterization;
import io.statespace.learn.LocalObjective;
import io.statespace.learn.LossFunction;
import io.statespace.learn.Parameterization;
import io.statespace.learn.StopRules;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.RandomModels;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fit job on a real local SparkSession: partition invariance, distributed = local fold, EM = L-BFGS. */
class FitJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path cvData;
  private static ModelSpec cvSpec;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("FitJobTest");
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel truth = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.8,
        new double[] {0.3, 0.6}, new double[] {0, 0, 1, 1}, cov);
    cvData = dir.resolve("cv.csv");
    ModelScenario scenario = new ModelScenario(truth, 0.2, 0.1, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(17);
    try (CsvSink sink = new CsvSink(cvData, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 60; k++) sink.write(scenario.generate("cv-" + k, 10 + rng.nextInt(20), rng.split()));
    }
    ConstantVelocityModel start = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 2.0,
        new double[] {1.0, 1.0}, new double[] {0, 0, 1, 1}, cov);
    cvSpec = new ModelSpec(start, new Columns("id", "t", List.of("x", "y"), List.of()),
        new FitSpec(List.of("q", "measurement_std")), null);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static FitSettings.Paths paths(Path data, String out, int partitions) {
    return new FitSettings.Paths(data.toString(), "csv", dir.resolve(out).toString(), "csv", partitions, false);
  }

  private static FitReport fit(Path data, ModelSpec spec, String out, FitSettings.Method method, int partitions) {
    return fit(data, spec, out, method, partitions, FitSettings.Smoother.BATCHED);
  }

  private static FitReport fit(Path data, ModelSpec spec, String out, FitSettings.Method method, int partitions,
      FitSettings.Smoother engine) {
    return FitJob.run(spark, FitSettings.of(paths(data, out, partitions), spec, new StopRules(200, 1e-9, 0.0))
        .with(new FitSettings.Search(method, new StopRules(200, 1e-9, 0.0), 0.05, engine))
        .with(new FitSettings.Extras(false, true, false)));
  }

  private static double[] fitted(FitReport r) {
    return r.parameters.stream().mapToDouble(FitReport.Parameter::fitted).toArray();
  }

  /**
   * The batched path (the default) on 1, 3 and 16 partitions (blocks of 60, about 20 and about 4 trajectories: the
   * last below the lockstep minimum, so evaluated by the sequential adjoint) and the sequential adjoint on 3: the
   * same fit to 1e-9; report.json says which engine evaluated the gradients and what the standard errors cost.
   */
  @Test
  void oneThreeAndSixteenPartitionsAgree() throws IOException {
    FitReport one = fit(cvData, cvSpec, "p1", FitSettings.Method.LBFGS, 1);
    FitReport three = fit(cvData, cvSpec, "p3", FitSettings.Method.LBFGS, 3);
    FitReport sixteen = fit(cvData, cvSpec, "p16", FitSettings.Method.LBFGS, 16);
    FitReport sequential = fit(cvData, cvSpec, "p3-sequential", FitSettings.Method.LBFGS, 3, FitSettings.Smoother.SEQUENTIAL);
    assertEquals(java.util.Map.of("batched", 60L), one.gradientTrajectoriesByEngine());
    assertEquals(java.util.Map.of("sequential", 60L), sequential.gradientTrajectoriesByEngine());
    assertEquals(60L, sixteen.gradientTrajectoriesByEngine().values().stream().mapToLong(Long::longValue).sum());
    assertEquals(1L, one.standardErrorsPasses(), "all 2p gradients of the Hessian in one distributed pass");
    assertTrue(one.standardErrorsSeconds() > 0.0);
    String json = Files.readString(dir.resolve("p1").resolve("report.json"));
    assertTrue(json.contains("\"gradient_trajectories_by_engine\" : {\n    \"batched\" : 60\n  }"), json);
    assertTrue(json.contains("\"standard_errors_passes\" : 1"), json);
    double[] a = fitted(one);
    for (FitReport other : List.of(three, sixteen, sequential)) {
      double[] b = fitted(other);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-9 * Math.abs(a[i]), "parameter " + one.parameters.get(i).name());
      }
      assertEquals(one.finalLoss, other.finalLoss, 1e-9 * Math.abs(one.finalLoss));
    }
    System.out.printf("[FitJob] 1/3/16 partitions: %s%n", java.util.Arrays.toString(a));
    assertEquals("gradient_tolerance", one.stopReason);
    assertTrue(one.rowsIn == one.rowsUsed + one.rowsQuarantined);
    for (FitReport.Parameter p : one.parameters) assertTrue(p.standardError() > 0, p.name() + " has no standard error");
    ModelSpec written = ModelSpec.read(dir.resolve("p1").resolve("model.json"));
    assertEquals(0.0, ((ConstantVelocityModel) written.model()).noiseLevel() - a[0], 1e-12, "model.json holds the fit");
    List<String> history = Files.readAllLines(dir.resolve("p1").resolve("history.csv"));
    assertEquals(one.iterations + 2, history.size(), "header + starting point + one row per iteration");
    assertTrue(!Files.exists(dir.resolve(".p1.checkpoint")), "checkpoint removed after a successful fit");
  }

  @Test
  void distributedAggregateEqualsTheLocalFold() {
    Parameterization param = Families.parameterization(cvSpec);
    for (LossFunction loss : List.of(LossFunction.negativeLogLikelihood(param), LossFunction.prediction(param, 0.2, 3L, false),
        LossFunction.negativeLogLikelihood(param).withEngine(LossFunction.Engine.BATCHED),
        LossFunction.prediction(param, 0.2, 3L, true).withEngine(LossFunction.Engine.BATCHED))) {
      InputSource source = InputSource.read(spark, cvData.toString(), "csv", cvSpec.columns());
      JavaRDD<FitItem> items = FitJob.assemble(source, cvSpec.columns(), 2, 0, 5);
      try {
        JavaRDD<TrajectoryBlock> blocks = items.filter(FitItem::isBlock).map(i -> i.block);
        List<Trajectory> all = new ArrayList<>();
        for (TrajectoryBlock b : blocks.collect()) all.addAll(List.of(b.trajectories));
        assertEquals(60, all.size());
        DistributedObjective distributed = new DistributedObjective(
            org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()), blocks, loss, 2);
        double[] theta = param.initial().clone();
        theta[0] += 0.3;
        Evaluation d = distributed.evaluate(theta, 4);
        Evaluation l = new LocalObjective(loss, all).evaluate(theta, 4);
        assertEquals(l.loss(), d.loss(), 1e-12 * Math.abs(l.loss()));
        for (int i = 0; i < theta.length; i++) {
          assertEquals(l.gradient()[i], d.gradient()[i], 1e-12 * Math.abs(l.gradientNorm()), "gradient " + i);
        }
        double[] other = theta.clone();
        other[1] -= 0.2;
        long passes = distributed.passes();
        Evaluation[] both = distributed.evaluateAll(new double[][] {theta, other});
        assertEquals(passes + 1, distributed.passes(), "two points, one pass");
        Evaluation lo = new LocalObjective(loss, all).evaluate(other);
        for (int k = 0; k < 2; k++) {
          Evaluation ref = k == 0 ? new LocalObjective(loss, all).evaluate(theta) : lo;
          assertEquals(ref.loss(), both[k].loss(), 1e-12 * Math.abs(ref.loss()));
          for (int i = 0; i < theta.length; i++) {
            assertEquals(ref.gradient()[i], both[k].gradient()[i], 1e-12 * ref.gradientNorm(), "point " + k + ", gradient " + i);
          }
        }
        distributed.close();
      } finally {
        items.unpersist();
      }
    }
  }

  @Test
  void emAndLbfgsReachTheSameOptimumOnALinearModel() throws IOException {
    SplittableRandom rng = new SplittableRandom(23);
    double[] rotation = {0.9 * Math.cos(0.3), -0.9 * Math.sin(0.3), 0.9 * Math.sin(0.3), 0.9 * Math.cos(0.3)};
    LinearModel truth = new LinearModel(2, 2, 0, new double[] {1, -1}, new double[] {1, 0, 0, 1}, rotation,
        new double[] {0.1, 0.0}, null, new double[] {0.1, 0.02, 0.02, 0.2}, new double[] {1, 0, 0.5, 1},
        new double[] {0, 0}, null, new double[] {0.2, -0.05, -0.05, 0.1});
    Path data = dir.resolve("linear.csv");
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.irregular = false;
    try (CsvSink sink = new CsvSink(data, "id", "t", List.of("y0", "y1"), List.of(), List.of())) {
      for (int k = 0; k < 150; k++) {
        Trajectory tr = RandomModels.trajectory(rng, truth, "lin-" + k, 15, shape);
        sink.write(new io.statespace.simulate.SimulatedTrajectory(tr.id(), tr.times(), tr.observations(), null, null));
      }
    }
    LinearModel start = new LinearModel(2, 2, 0, new double[] {0, 0}, new double[] {2, 0, 0, 2},
        new double[] {0.5, 0, 0, 0.5}, new double[] {0, 0}, null, new double[] {0.5, 0, 0, 0.5},
        new double[] {1, 0, 0.5, 1}, new double[] {0, 0}, null, new double[] {0.5, 0, 0, 0.5});
    ModelSpec spec = new ModelSpec(start, new Columns("id", "t", List.of("y0", "y1"), List.of()),
        new FitSpec(List.of("dynamics.weights", "dynamics.bias", "dynamics.cov", "emissions.cov")), null);
    FitReport em = fit(data, spec, "em", FitSettings.Method.EM, 3);
    FitReport lbfgs = fit(data, spec, "lbfgs", FitSettings.Method.LBFGS, 3);
    System.out.printf("[FitJob] EM %s after %d iterations (%s); L-BFGS %s after %d (%s)%n", em.finalLoss, em.iterations,
        em.stopReason, lbfgs.finalLoss, lbfgs.iterations, lbfgs.stopReason);
    // EM converges linearly; the unit tests take it to 1e-12 of L-BFGS. Here: the distributed E-step never
    // raises the loss, and ends within 1e-6 of the L-BFGS optimum.
    List<String> history = Files.readAllLines(dir.resolve("em").resolve("history.csv"));
    double previous = Double.POSITIVE_INFINITY;
    for (String line : history.subList(1, history.size())) {
      double loss = Double.parseDouble(line.split(",")[1]);
      assertTrue(loss <= previous + 1e-9 * Math.abs(loss), "EM raised the loss: " + line);
      previous = loss;
    }
    assertEquals(lbfgs.finalLoss, em.finalLoss, 1e-6 * Math.abs(lbfgs.finalLoss), "EM and L-BFGS optima differ");
    java.util.Map<?, ?> written = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
        dir.resolve("em").resolve("report.json").toFile(), java.util.Map.class);
    assertEquals(java.util.Map.of("batched", 150), written.get("e_step_trajectories_by_engine"),
        "every E-step trajectory smoothed by the batched engine, none by a fallback");
    assertFalse(Files.readString(dir.resolve("lbfgs").resolve("report.json")).contains("e_step_trajectories_by_engine"));
    assertTrue(em.finalLoss >= lbfgs.finalLoss - 1e-9 * Math.abs(lbfgs.finalLoss), "EM went below the L-BFGS optimum");
    double[] a = fitted(em);
    double[] b = fitted(lbfgs);
    for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-2, em.parameters.get(i).name());
  }

  @Test
  void emWithTheSequentialSmootherFollowsTheBatchedPath() throws IOException {
    SplittableRandom rng = new SplittableRandom(29);
    LinearModel truth = new LinearModel(2, 1, 0, new double[] {0, 0}, new double[] {1, 0, 0, 1},
        new double[] {0.9, 0.1, 0, 0.8}, new double[] {0, 0}, null, new double[] {0.2, 0, 0, 0.1}, new double[] {1, 0.5},
        new double[] {0}, null, new double[] {0.3});
    Path data = dir.resolve("em-smoother.csv");
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.irregular = false;
    try (CsvSink sink = new CsvSink(data, "id", "t", List.of("y"), List.of(), List.of())) {
      for (int k = 0; k < 40; k++) {
        Trajectory tr = RandomModels.trajectory(rng, truth, "em-" + k, 12, shape);
        sink.write(new io.statespace.simulate.SimulatedTrajectory(tr.id(), tr.times(), tr.observations(), null, null));
      }
    }
    ModelSpec spec = new ModelSpec(truth, new Columns("id", "t", List.of("y"), List.of()),
        new FitSpec(List.of("dynamics.cov", "emissions.cov")), null);
    StopRules five = new StopRules(5, 0.0, 0.0);
    double[][] losses = new double[2][];
    int k = 0;
    for (FitSettings.Smoother smoother : FitSettings.Smoother.values()) {
      String out = "em-" + smoother.name().toLowerCase(java.util.Locale.ROOT);
      FitJob.run(spark, FitSettings.of(paths(data, out, 2), spec, five)
          .with(new FitSettings.Search(FitSettings.Method.EM, five, 0.05, smoother)));
      losses[k++] = Files.readAllLines(dir.resolve(out).resolve("history.csv")).stream().skip(1)
          .mapToDouble(line -> Double.parseDouble(line.split(",")[1])).toArray();
    }
    assertEquals(6, losses[0].length, "starting point + 5 EM iterations");
    LinearParameterization param = (LinearParameterization) Families.parameterization(spec);
    JavaRDD<FitItem> items = FitJob.assemble(InputSource.read(spark, data.toString(), "csv", spec.columns()), spec.columns(), 1, 0, 1);
    try {
      JavaRDD<TrajectoryBlock> blocks = items.filter(FitItem::isBlock).map(i -> i.block);
      EmStatistics sequential = new DistributedExpectationStep(
          org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()), blocks, param, 2, false)
          .expectation(param.initial());
      EmStatistics local = EmStatistics.zero(param);
      ExpectationEvaluator evaluator = new ExpectationEvaluator(param, param.initial(), true);
      for (TrajectoryBlock b : blocks.collect()) {
        for (Trajectory t : b.trajectories) evaluator.add(t, local);
      }
      assertEquals(local.logLikelihood(), sequential.logLikelihood(), 0.0,
          "one partition, one block: the sequential E-step is the local sequential fold, bit for bit");
      org.junit.jupiter.api.Assertions.assertArrayEquals(local.evaluation().gradient(), sequential.evaluation().gradient(), 0.0,
          "and so are the smoothed moments behind the Fisher gradient (the batched engine's differ in the last bits)");
    } finally {
      items.unpersist();
    }
    for (int i = 0; i < losses[0].length; i++) {
      assertEquals(losses[0][i], losses[1][i], 1e-9 * Math.abs(losses[0][i]), "EM iteration " + i);
    }
  }

  @Test
  void predictionLossWithDropoutFitsAndWritesAModelSmoothCanRead() throws IOException {
    StopRules thirty = new StopRules(30, 0.0, 0.0);
    FitReport r = FitJob.run(spark, FitSettings.of(paths(cvData, "pred", 2), cvSpec, thirty)
        .with(new FitSettings.Objective(LossFunction.Kind.PREDICTION, 0.1, 11L, false))
        .with(new FitSettings.Search(FitSettings.Method.ADAM, thirty, 0.05, FitSettings.Smoother.SEQUENTIAL))
        .with(new FitSettings.Extras(false, true, false)));
    assertTrue(r.finalLoss < r.initialLoss, r.summaryLine());
    assertEquals(30, r.iterations);
    assertTrue(r.standardErrorsNote.startsWith("not computed"));
    ModelSpec fitted = ModelSpec.read(dir.resolve("pred").resolve("model.json"));
    SmoothReport smoothed = SmoothJob.run(spark, new SmoothSettings(cvData.toString(), "csv", dir.resolve("pred-smooth").toString(),
        "parquet", fitted, io.statespace.execution.EngineChoice.SEQUENTIAL, 1, 2, false));
    long written = WrittenRows.count(spark, dir.resolve("pred-smooth").resolve("states"), "parquet")
        + WrittenRows.count(spark, dir.resolve("pred-smooth").resolve("quarantine"), "parquet");
    assertEquals(WrittenRows.csvDataLines(cvData), written, "input rows against the rows written; the job said "
        + smoothed.accountingLine());
  }

  @Test
  void resumingSomeoneElsesCheckpointIsRefused() throws IOException {
    FitSettings first = FitSettings.of(paths(cvData, "mismatch", 2), cvSpec, new StopRules(2, 0, 0));
    CheckpointStore store = new CheckpointStore(first.paths().output(), spark.sparkContext().hadoopConfiguration());
    store.save(1, "{\"fingerprint\": \"someone else\", \"fit\": {}}");
    FitSettings resume = first.with(new FitSettings.Extras(true, false, false));
    FitJob.CheckpointMismatch e = assertThrows(FitJob.CheckpointMismatch.class, () -> FitJob.run(spark, resume));
    assertTrue(e.getMessage().contains("different fit"), e.getMessage());
    store.delete();
  }
}
