package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.learn.LocalObjective;
import io.statespace.learn.LossFunction;
import io.statespace.learn.Parameterization;
import io.statespace.learn.StandardErrors;
import io.statespace.learn.StopRules;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fit job's reading aids on a real local SparkSession: robust standard errors from the distributed pass equal
 * the local ones, report.json's criteria and counts against the input file, history.csv's parameter columns,
 * and the prediction loss without dropout.
 */
class FitReportingJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path data;
  private static ModelSpec spec;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("FitReportingJobTest");
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel truth = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.8,
        new double[] {0.3, 0.6}, new double[] {0, 0, 1, 1}, cov);
    data = dir.resolve("cv.csv");
    ModelScenario scenario = new ModelScenario(truth, 0.2, 0.1, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(31);
    try (CsvSink sink = new CsvSink(data, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 40; k++) sink.write(scenario.generate("cv-" + k, 10 + rng.nextInt(20), rng.split()));
    }
    ConstantVelocityModel start = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 2.0,
        new double[] {1.0, 1.0}, new double[] {0, 0, 1, 1}, cov);
    spec = new ModelSpec(start, new Columns("id", "t", List.of("x", "y"), List.of()),
        new FitSpec(List.of("q", "measurement_std")), null);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static FitSettings settings(String out, StopRules rules) {
    return FitSettings.of(new FitSettings.Paths(data.toString(), "csv", dir.resolve(out).toString(), "csv", 3, false), spec, rules);
  }

  private static List<Trajectory> trajectories(JavaRDD<FitItem> items) {
    List<Trajectory> all = new ArrayList<>();
    for (TrajectoryBlock b : items.filter(FitItem::isBlock).map(i -> i.block).collect()) all.addAll(List.of(b.trajectories));
    return all;
  }

  /** Observed (non-empty) x and y cells of the CSV, read as text. */
  private static long observedCells() throws IOException {
    long cells = 0;
    for (String line : Files.readAllLines(data).subList(1, Files.readAllLines(data).size())) {
      String[] f = line.split(",", -1);
      for (int i = 2; i < 4; i++) {
        if (!f[i].isEmpty()) cells++;
      }
    }
    return cells;
  }

  @Test
  void distributedRobustStandardErrorsEqualTheLocalOnes() {
    Parameterization param = Families.parameterization(spec);
    LossFunction loss = LossFunction.negativeLogLikelihood(param).withEngine(LossFunction.Engine.BATCHED);
    JavaRDD<FitItem> items = FitJob.assemble(InputSource.read(spark, data.toString(), "csv", spec.columns()), spec.columns(), 2, 0, 4);
    try {
      JavaRDD<TrajectoryBlock> blocks = items.filter(FitItem::isBlock).map(i -> i.block);
      DistributedObjective distributed = new DistributedObjective(JavaSparkContext.fromSparkContext(spark.sparkContext()), blocks, loss, 2);
      double[] theta = {Math.log(0.9), Math.log(0.35), Math.log(0.55)};
      long passes = distributed.passes();
      StandardErrors.Result d = StandardErrors.compute(distributed, param, theta, StandardErrors.Kind.ROBUST);
      assertEquals(passes + 1, distributed.passes(), "the Hessian's gradients and the scores in one pass");
      StandardErrors.Result l = StandardErrors.compute(new LocalObjective(loss, trajectories(items)), param, theta,
          StandardErrors.Kind.ROBUST);
      StandardErrors.Result oim = StandardErrors.compute(distributed, param, theta, StandardErrors.Kind.OIM);
      for (int i = 0; i < theta.length; i++) {
        assertEquals(l.naturalStandardErrors()[i], d.naturalStandardErrors()[i], 1e-9 * l.naturalStandardErrors()[i], "se " + i);
        assertTrue(Math.abs(d.naturalStandardErrors()[i] / oim.naturalStandardErrors()[i] - 1) > 1e-3,
            "robust differs from oim away from the optimum " + i);
      }
      distributed.close();
    } finally {
      items.unpersist();
    }
  }

  @Test
  void robustFitReportsCriteriaTableAndHistoryParameters() throws IOException {
    StopRules rules = new StopRules(100, 1e-9, 0.0);
    FitReport r = FitJob.run(spark, settings("robust", rules)
        .with(new FitSettings.Extras(false, true, false, false, QuarantineLimit.NONE, StandardErrors.Kind.ROBUST)));
    Path out = dir.resolve("robust");
    JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
    long observed = observedCells();
    assertEquals(observed, json.get("observed_components").asLong(), "n of BIC: observed cells of the input");
    assertEquals(3, json.get("free_parameters").asInt());
    double nll = json.get("final_loss").asDouble();
    assertEquals(2 * nll + 6, json.get("aic").asDouble(), 1e-9 * Math.abs(nll));
    assertEquals(2 * nll + 3 * Math.log(observed), json.get("bic").asDouble(), 1e-9 * Math.abs(nll));
    assertEquals("robust", json.get("standard_errors_method").asText());
    assertTrue(json.get("standard_errors").asText().startsWith("robust"), json.get("standard_errors").asText());
    assertEquals(0, json.get("warnings").size(), json.get("warnings").toString());

    Parameterization param = Families.parameterization(spec);
    double[] theta = param.theta(ModelSpec.read(out.resolve("model.json")).model());
    JavaRDD<FitItem> items = FitJob.assemble(InputSource.read(spark, data.toString(), "csv", spec.columns()), spec.columns(), 2, 0, 1);
    StandardErrors.Result local;
    try {
      local = StandardErrors.compute(new LocalObjective(LossFunction.negativeLogLikelihood(param), trajectories(items)), param,
          theta, StandardErrors.Kind.ROBUST);
    } finally {
      items.unpersist();
    }
    for (int i = 0; i < 3; i++) {
      JsonNode p = json.get("parameters").get(i);
      double se = p.get("standard_error").asDouble();
      assertEquals(local.naturalStandardErrors()[i], se, 1e-6 * se, p.get("name").asText());
      double fitted = p.get("fitted").asDouble();
      assertEquals(fitted / se, p.get("z").asDouble(), 1e-12 * fitted / se);
      assertEquals(fitted * Math.exp(-FitReport.Z_975 * se / fitted), p.get("ci_lower").asDouble(), 1e-12 * fitted);
      assertEquals("log", p.get("interval").asText());
    }

    List<String> history = Files.readAllLines(out.resolve("history.csv"));
    assertEquals("iteration,loss,gradient_norm,step,evaluations,seconds,q,measurement_std[0],measurement_std[1]", history.get(0));
    String[] first = history.get(1).split(",");
    String[] last = history.get(history.size() - 1).split(",");
    assertEquals(2.0, Double.parseDouble(first[6]), 1e-12, "the starting q");
    for (int i = 0; i < 3; i++) {
      assertEquals(r.parameters.get(i).fitted(), Double.parseDouble(last[6 + i]), 1e-12 * r.parameters.get(i).fitted(),
          "the last history row holds the fitted " + r.parameters.get(i).name());
    }
    assertEquals(r.iterations + 2, history.size());
  }

  /**
   * EM on the constant-velocity family through the distributed E-step (batched smoothing): from the model file's
   * start the NLL falls monotonically; started at the L-BFGS optimum (its model.json) EM stays there, to 1e-4 of a
   * standard error (EM's fixed point is the likelihood's stationary point; L-BFGS stops at |g| ≤ 1e-10·|NLL|).
   */
  @Test
  void emFitsTheConstantVelocityFamilyToTheLbfgsOptimum() throws IOException {
    StopRules emRules = new StopRules(5, 0.0, 0.0);
    FitSettings.Search em = new FitSettings.Search(FitSettings.Method.EM, emRules, 0.05, FitSettings.Smoother.BATCHED);
    FitReport fromStart = FitJob.run(spark, settings("em", emRules).with(em));
    List<String> history = Files.readAllLines(dir.resolve("em").resolve("history.csv"));
    assertEquals(7, history.size(), "header, the start and 5 EM iterations");
    double before = Double.POSITIVE_INFINITY;
    for (String line : history.subList(1, history.size())) {
      double loss = Double.parseDouble(line.split(",")[1]);
      assertTrue(loss <= before + 1e-9 * Math.abs(before), "EM's NLL rose: " + before + " -> " + loss);
      before = loss;
    }
    assertTrue(fromStart.finalLoss < fromStart.initialLoss - 10, fromStart.summaryLine());
    assertTrue(fromStart.eStepTrajectoriesByEngine.containsKey("batched"), fromStart.eStepTrajectoriesByEngine.toString());

    StopRules rules = new StopRules(200, 1e-10, 0.0);
    FitReport lbfgs = FitJob.run(spark, settings("lbfgs", rules).with(new FitSettings.Extras(false, true, false)));
    ModelSpec optimum = ModelSpec.read(dir.resolve("lbfgs").resolve("model.json"));
    StopRules two = new StopRules(2, 0.0, 0.0);
    FitReport atOptimum = FitJob.run(spark, new FitSettings(
        new FitSettings.Paths(data.toString(), "csv", dir.resolve("em-at-optimum").toString(), "csv", 3, false),
        new ModelSpec(optimum.model(), spec.columns(), spec.fit(), null), FitSettings.Objective.likelihood(),
        new FitSettings.Search(FitSettings.Method.EM, two, 0.05, FitSettings.Smoother.BATCHED), FitSettings.Extras.none()));
    assertEquals(lbfgs.finalLoss, atOptimum.finalLoss, 1e-10 * Math.abs(lbfgs.finalLoss));
    for (int i = 0; i < 3; i++) {
      FitReport.Parameter e = atOptimum.parameters.get(i);
      FitReport.Parameter l = lbfgs.parameters.get(i);
      assertEquals(l.fitted(), e.fitted(), 1e-4 * l.standardError(), e.name() + " within 1e-4 of its standard error");
    }
  }

  @Test
  void predictionLossWithDropoutReportsTheLossWithoutDropout() throws IOException {
    StopRules rules = new StopRules(8, 0.0, 0.0);
    FitReport r = FitJob.run(spark, settings("dropout", rules)
        .with(new FitSettings.Objective(LossFunction.Kind.PREDICTION, 0.3, 5L, false))
        .with(new FitSettings.Extras(false, true, false)));
    Parameterization param = Families.parameterization(spec);
    double[] theta = param.theta(ModelSpec.read(dir.resolve("dropout").resolve("model.json")).model());
    JavaRDD<FitItem> items = FitJob.assemble(InputSource.read(spark, data.toString(), "csv", spec.columns()), spec.columns(), 2, 0, 1);
    double expected;
    double withDropout;
    try {
      List<Trajectory> all = trajectories(items);
      expected = new LocalObjective(LossFunction.prediction(param, 0.0, 0L, false), all).evaluate(theta).loss();
      withDropout = new LocalObjective(LossFunction.prediction(param, 0.3, 5L, false), all).evaluate(theta).loss();
    } finally {
      items.unpersist();
    }
    JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("dropout").resolve("report.json")));
    double reported = json.get("final_loss_without_dropout").asDouble();
    assertEquals(expected, reported, 1e-9 * expected);
    assertEquals(withDropout, r.finalLoss, 1e-9 * withDropout, "final_loss stays the training loss (with dropout)");
    assertTrue(Math.abs(reported - r.finalLoss) > 1e-6 * r.finalLoss, "the two losses differ");
    assertTrue(r.summaryLine().contains(String.format(java.util.Locale.ROOT, "(without dropout %.10g)", reported)), r.summaryLine());
    assertTrue(json.get("aic").isNull() && json.get("bic").isNull());
    assertTrue(json.get("warnings").get(0).asText().startsWith("standard errors missing: not computed"),
        json.get("warnings").toString());
    System.out.printf("[FitReporting] prediction loss: training (dropout 0.3) %.6f, without dropout %.6f; %s%n", r.finalLoss,
        reported, Arrays.toString(theta));
  }
}
