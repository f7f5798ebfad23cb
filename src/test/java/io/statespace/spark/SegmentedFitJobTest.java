package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.learn.StopRules;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.simulate.SimulatedTrajectory;
import io.statespace.testing.LogCapture;
import io.statespace.testing.RandomModels;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fit job's segmented path (docs/ARCHITECTURE.md §7.5) on a real local SparkSession: with
 * {@code --segment-steps} below the long trajectories' lengths, the fit (L-BFGS with standard errors; EM)
 * equals the fit without segments to 1e-9 per parameter, loss and standard error, every row is accounted for
 * in the written quarantine, and the log names the trajectories evaluated in segments.
 */
class SegmentedFitJobTest {
  private static final double TOLERANCE = 1e-9;
  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("SegmentedFitJobTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static FitReport fit(Path data, ModelSpec spec, String out, FitSettings.Method method, int iterations,
      String segmentSteps) {
    StopRules rules = new StopRules(iterations, 0.0, 0.0);
    FitSettings s = FitSettings.of(new FitSettings.Paths(data.toString(), "csv", dir.resolve(out).toString(), "csv", 3, false),
        spec, rules).with(new FitSettings.Search(method, rules, 0.05, FitSettings.Smoother.BATCHED))
        .with(new FitSettings.Extras(false, method == FitSettings.Method.LBFGS, false));
    return FitJob.run(spark, s, SegmentSteps.parse(segmentSteps));
  }

  private static void assertSameFit(FitReport one, FitReport seg) {
    assertEquals(one.iterations, seg.iterations);
    assertEquals(one.initialLoss, seg.initialLoss, TOLERANCE * Math.abs(one.initialLoss));
    assertEquals(one.finalLoss, seg.finalLoss, TOLERANCE * Math.abs(one.finalLoss));
    double worst = 0.0;
    for (int i = 0; i < one.parameters.size(); i++) {
      FitReport.Parameter a = one.parameters.get(i);
      FitReport.Parameter b = seg.parameters.get(i);
      assertEquals(a.name(), b.name());
      worst = Math.max(worst, Math.abs(a.fitted() - b.fitted()) / Math.abs(a.fitted()));
      assertEquals(a.fitted(), b.fitted(), TOLERANCE * Math.abs(a.fitted()), a.name());
      assertEquals(a.initialGradient(), b.initialGradient(), TOLERANCE * Math.abs(a.initialGradient()), a.name());
      if (!Double.isNaN(a.standardError())) {
        assertEquals(a.standardError(), b.standardError(), 1e-6 * a.standardError(), a.name() + " standard error");
      }
    }
    System.out.printf(Locale.ROOT, "[segments] fit %s: segmented vs one task, loss %.12g vs %.12g, worst parameter %.1e%n",
        one.optimizer, seg.finalLoss, one.finalLoss, worst);
  }

  private static void assertAccounted(FitReport r, String out) {
    assertEquals(r.rowsIn, r.rowsUsed + r.rowsQuarantined);
    assertEquals(r.rowsQuarantined, WrittenRows.csvPartRows(dir.resolve(out).resolve("quarantine")).size(),
        "rows in the written quarantine");
  }

  /**
   * Two long constant-velocity tracks (1,200 and 430 steps, irregular gaps, whole and partial missing steps,
   * two rows sharing a time in the longer one) and twenty short ones; segments of 100 steps.
   */
  @Test
  void lbfgsFitInSegmentsEqualsOneTask() throws IOException {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel truth = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.8,
        new double[] {0.3, 0.6}, new double[] {0, 0, 1, 1}, cov);
    Path data = dir.resolve("cv.csv");
    ModelScenario scenario = new ModelScenario(truth, 0.2, 0.1, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(41);
    try (CsvSink sink = new CsvSink(data, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      sink.write(scenario.generate("long-a", 1200, rng.split()));
      sink.write(scenario.generate("long-b", 430, rng.split()));
      for (int k = 0; k < 20; k++) sink.write(scenario.generate("short-" + k, 10 + rng.nextInt(30), rng.split()));
    }
    String duplicate = Files.readAllLines(data).stream().filter(l -> l.startsWith("long-a,")).skip(500).findFirst().orElseThrow();
    Files.writeString(data, duplicate + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    ConstantVelocityModel start = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 2.0,
        new double[] {1.0, 1.0}, new double[] {0, 0, 1, 1}, cov);
    ModelSpec spec = new ModelSpec(start, new Columns("id", "t", List.of("x", "y"), List.of()),
        new FitSpec(List.of("q", "measurement_std")), null);
    FitReport one = fit(data, spec, "cv-one", FitSettings.Method.LBFGS, 4, "1000000");
    FitReport seg;
    List<String> lines;
    try (LogCapture log = LogCapture.of(SegmentedFit.class)) {
      seg = fit(data, spec, "cv-seg", FitSettings.Method.LBFGS, 4, "100");
      lines = log.lines(Level.INFO, "fit: 2 trajectories evaluated in segments, 0 left to one task each");
    }
    assertEquals(1, lines.size(), "the log names the trajectories evaluated in segments");
    assertSameFit(one, seg);
    assertEquals(22, seg.trajectories);
    assertEquals(2, seg.rowsQuarantined, "both rows sharing a time");
    assertEquals(one.rowsUsed, seg.rowsUsed);
    assertAccounted(one, "cv-one");
    assertAccounted(seg, "cv-seg");
  }

  /**
   * A track with gaps of 10^6 s every ten steps or so (400 steps, the y axis missing every 7th step, where
   * the segments' combined filtering elements lose precision) and ten short tracks, in segments of 8 steps:
   * the scan's loss of precision at the starting point (more than 1e-6 at a cut) sends the track to the
   * one-task path (one WARN line saying why), which is the reference for it (its adjoint quarantines it
   * there), so the fit equals the fit without segments and every row is accounted for.
   */
  @Test
  void aTrackNeedingRepairsAtTheStartingPointIsFittedInOneTask() throws IOException {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    Path data = dir.resolve("gaps.csv");
    SplittableRandom rng = new SplittableRandom(5);
    List<String> lines = new java.util.ArrayList<>();
    lines.add("id,t,x,y");
    long millis = 0;
    for (int k = 0; k < 400; k++) {
      String y = k % 7 == 0 ? "" : Double.toString(rng.nextDouble(-10, 10));
      lines.add("gaps," + java.math.BigDecimal.valueOf(millis, 3).toPlainString() + "," + rng.nextDouble(-10, 10) + "," + y);
      millis += rng.nextDouble() < 0.1 ? 1_000_000_000L : 100;
    }
    Files.write(data, lines);
    ConstantVelocityModel truth = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.8,
        new double[] {0.3, 0.6}, new double[] {0, 0, 1, 1}, cov);
    ModelScenario scenario = new ModelScenario(truth, 0.2, 0.1, new MissingPattern(0.1, 0.1));
    Path shortOnes = dir.resolve("gaps-short.csv");
    try (CsvSink sink = new CsvSink(shortOnes, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 10; k++) sink.write(scenario.generate("short-" + k, 10 + rng.nextInt(20), rng.split()));
    }
    List<String> more = Files.readAllLines(shortOnes);
    Files.write(data, more.subList(1, more.size()), StandardOpenOption.APPEND);
    ConstantVelocityModel start = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 2.0,
        new double[] {1.0, 1.0}, new double[] {0, 0, 1, 1}, cov);
    ModelSpec spec = new ModelSpec(start, new Columns("id", "t", List.of("x", "y"), List.of()),
        new FitSpec(List.of("q", "measurement_std")), null);
    FitReport one = fit(data, spec, "gaps-one", FitSettings.Method.LBFGS, 3, "1000000");
    FitReport seg;
    List<String> refused;
    try (LogCapture log = LogCapture.of(SegmentedFit.class)) {
      seg = fit(data, spec, "gaps-seg", FitSettings.Method.LBFGS, 3, "8");
      refused = log.lines(Level.WARN, "fit: trajectory 'gaps' cannot be evaluated in segments at the starting point (the "
          + "scanned prefixes differed from the segments' own sequential filters by more than 1e-13 at ");
    }
    assertEquals(1, refused.size(), "one line names the trajectory and why");
    assertTrue(refused.get(0).endsWith("; the one-task fit is the reference for such a trajectory); it is fitted in one "
        + "task instead"), refused.get(0));
    assertSameFit(one, seg);
    assertEquals(one.trajectories, seg.trajectories);
    assertEquals(one.rowsQuarantined, seg.rowsQuarantined);
    assertAccounted(seg, "gaps-seg");
  }

  /** EM on a linear model: two long trajectories (900 and 260 steps, missing steps) and fifteen short ones. */
  @Test
  void emInSegmentsEqualsOneTask() throws IOException {
    LinearModel truth = new LinearModel(2, 2, 0, new double[] {1, -1}, new double[] {1, 0, 0, 1},
        new double[] {0.8, -0.3, 0.3, 0.8}, new double[] {0.1, 0.0}, null, new double[] {0.1, 0.02, 0.02, 0.2},
        new double[] {1, 0, 0.5, 1}, new double[] {0, 0}, null, new double[] {0.2, -0.05, -0.05, 0.1});
    Path data = dir.resolve("linear.csv");
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.irregular = false;
    SplittableRandom rng = new SplittableRandom(43);
    try (CsvSink sink = new CsvSink(data, "id", "t", List.of("y0", "y1"), List.of(), List.of())) {
      int[] lengths = new int[17];
      lengths[0] = 900;
      lengths[1] = 260;
      for (int k = 2; k < 17; k++) lengths[k] = 12 + rng.nextInt(10);
      for (int k = 0; k < lengths.length; k++) {
        Trajectory tr = RandomModels.trajectory(rng, truth, "lin-" + k, lengths[k], shape);
        sink.write(new SimulatedTrajectory(tr.id(), tr.times(), tr.observations(), null, null));
      }
    }
    LinearModel start = new LinearModel(2, 2, 0, new double[] {0, 0}, new double[] {2, 0, 0, 2},
        new double[] {0.5, 0, 0, 0.5}, new double[] {0, 0}, null, new double[] {0.5, 0, 0, 0.5},
        new double[] {1, 0, 0.5, 1}, new double[] {0, 0}, null, new double[] {0.5, 0, 0, 0.5});
    ModelSpec spec = new ModelSpec(start, new Columns("id", "t", List.of("y0", "y1"), List.of()),
        new FitSpec(List.of("dynamics.weights", "dynamics.bias", "dynamics.cov", "emissions.cov", "initial.mean")), null);
    FitReport one = fit(data, spec, "em-one", FitSettings.Method.EM, 4, "1000000");
    FitReport seg = fit(data, spec, "em-seg", FitSettings.Method.EM, 4, "77");
    assertSameFit(one, seg);
    assertEquals(17, seg.trajectories);
    assertAccounted(seg, "em-seg");
  }
}
