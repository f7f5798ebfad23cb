package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.execution.EngineChoice;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.LogCapture;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.testing.RandomModels;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smooth job's segmented path (docs/ARCHITECTURE.md §7.5) on a real local SparkSession: with
 * {@code --segment-steps} below the long trajectories' lengths, the written states, summary and quarantine
 * equal those of the same job with every trajectory in one task (per element to 1e-9, log-likelihoods
 * summed over the segments), rows in = rows out + rows quarantined in the written files, and report.json
 * names the segmented trajectories; a trajectory whose segment elements are ill-conditioned (gaps of
 * 10^6 s) is smoothed in segments after the driver repairs the prefixes that lost precision, and one whose
 * repairs do not converge goes back to the one-task path and is smoothed there.
 */
class SegmentedSmoothJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  private static final Columns COLUMNS = new Columns("id", "t", List.of("x", "y"), List.of());

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("SegmentedSmoothJobTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static SmoothReport smooth(String input, String output, String segmentSteps) {
    return SmoothJob.run(spark, new SmoothSettings(input, "csv", output, "parquet", SmoothJobTest.trackingSpec(), EngineChoice.SEQUENTIAL,
        1, 3, false), SegmentSteps.parse(segmentSteps));
  }

  /**
   * An input with more rows than the threshold but no id with that many: the aggregation over the id column
   * finds none, nothing is parsed or range-partitioned for the segmented path, and every trajectory is
   * smoothed in one task.
   */
  @Test
  void manyShortTrajectoriesSkipTheSearch() throws IOException {
    ModelSpec spec = SmoothJobTest.trackingSpec();
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.0, new MissingPattern(0.1, 0.0));
    SplittableRandom rng = new SplittableRandom(5);
    Path input = dir.resolve("short.csv");
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 12; k++) sink.write(scenario.generate("s-" + k, 40, rng.split()));
    }
    SmoothReport report;
    List<String> searched;
    List<String> cut;
    try (LogCapture log = LogCapture.of(SegmentRows.class)) {
      report = smooth(input.toString(), dir.resolve("out-short").toString(), "50");
      searched = log.lines(Level.INFO, "smooth: no trajectory is longer than");
      cut = log.lines(Level.INFO, "are cut into");
    }
    assertEquals(480, report.rowsIn);
    assertEquals(1, searched.size(), "the aggregation over the id column finds no id with more than 50 rows: " + searched);
    assertEquals(List.of(), cut, "nothing is range-partitioned when no id has more than 50 rows");
    assertEquals(Map.of("sequential", 12), SmoothJobTest.writtenReport(dir.resolve("out-short").toString())
        .get("trajectories_by_engine"));
  }

  /** Two long trajectories (one with duplicate times), twenty short ones and an unreadable row. */
  @Test
  void segmentedOutputEqualsOneTaskOutput() throws IOException {
    ModelSpec spec = SmoothJobTest.trackingSpec();
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.3, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(23);
    Path input = dir.resolve("mixed.csv");
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      sink.write(scenario.generate("long-a", 2_500, rng.split()));
      sink.write(scenario.generate("long-b", 1_203, rng.split()));
      for (int k = 0; k < 20; k++) sink.write(scenario.generate("short-" + k, 1 + rng.nextInt(60), rng.split()));
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(input));
    int duplicated = 0;
    for (int i = 1; i < 2_500; i += 97) {
      lines.add(lines.get(i));
      duplicated += 2;
    }
    lines.add("long-a,not-a-time,1.0,2.0");
    Files.write(input, lines);
    long rowsIn = lines.size() - 1;

    String ref = dir.resolve("out-one-task").toString();
    String seg = dir.resolve("out-segmented").toString();
    SmoothReport one = smooth(input.toString(), ref, "1000000000");
    SmoothReport many = smooth(input.toString(), seg, "300");
    assertEquals(rowsIn, many.rowsIn);

    long statesWritten = WrittenRows.count(spark, Path.of(seg, "states"), "parquet");
    long quarantinedWritten = WrittenRows.count(spark, Path.of(seg, "quarantine"), "parquet");
    assertEquals(rowsIn, statesWritten + quarantinedWritten, "rows in = rows out + rows quarantined (written files)");
    assertEquals(duplicated + 1, quarantinedWritten, "duplicate times and the unreadable row");
    assertEquals(WrittenRows.count(spark, Path.of(ref, "states"), "parquet"), statesWritten);
    Map<?, ?> byEngine = (Map<?, ?>) SmoothJobTest.writtenReport(seg).get("trajectories_by_engine");
    assertEquals(Map.of("segmented", 2, "sequential", 20), byEngine);
    assertEquals(Map.of("sequential", 22), SmoothJobTest.writtenReport(ref).get("trajectories_by_engine"));

    double worst = 0.0;
    List<Row> ra = spark.read().parquet(ref + "/states").orderBy("id", "t").collectAsList();
    List<Row> rb = spark.read().parquet(seg + "/states").orderBy("id", "t").collectAsList();
    for (int i = 0; i < ra.size(); i++) {
      assertEquals(ra.get(i).<String>getAs("id"), rb.get(i).<String>getAs("id"));
      assertEquals(ra.get(i).<String>getAs("t"), rb.get(i).<String>getAs("t"));
      assertEquals(ra.get(i).<Object>getAs("x"), rb.get(i).<Object>getAs("x"));
      for (String c : new String[] {"filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"}) {
        worst = Math.max(worst, worstRelative(ra.get(i).getList(ra.get(i).fieldIndex(c)), rb.get(i).getList(rb.get(i).fieldIndex(c))));
      }
    }
    System.out.printf(Locale.ROOT, "[segments] job: segmented vs one task, worst per element %.1e over %d state rows%n",
        worst, rb.size());
    assertTrue(worst < 1e-9, "segmented and one-task states differ by " + worst);

    List<Row> sa = spark.read().parquet(ref + "/summary").orderBy("id").collectAsList();
    List<Row> sb = spark.read().parquet(seg + "/summary").orderBy("id").collectAsList();
    assertEquals(22, sb.size());
    for (int i = 0; i < sa.size(); i++) {
      assertEquals(sa.get(i), sb.get(i).schema().equals(sa.get(i).schema()) ? withLogLik(sb.get(i), sa.get(i)) : null);
      double ll = sa.get(i).<Double>getAs("loglik");
      assertEquals(ll, sb.get(i).<Double>getAs("loglik"), 1e-9 * Math.abs(ll), sa.get(i).<String>getAs("id"));
    }
    Map<String, Long> reasonsA = reasons(ref);
    assertEquals(reasonsA, reasons(seg));
    assertEquals(one.rowsQuarantined, many.rowsQuarantined);
  }

  /** The gap track's CSV (huge 10^6 s and small 10^-3 s gaps after RandomModels' recipe, 400 steps) and its trajectory. */
  private static Trajectory gapTrack(Path input) throws IOException {
    SplittableRandom rng = new SplittableRandom(5);
    int steps = 400;
    double[] times = new double[steps];
    double[] obs = new double[steps * 2];
    List<String> lines = new ArrayList<>();
    lines.add("id,t,x,y");
    long millis = 0;
    for (int k = 0; k < steps; k++) {
      String t = BigDecimal.valueOf(millis, 3).toPlainString();
      times[k] = Double.parseDouble(t);
      obs[2 * k] = rng.nextDouble(-10, 10);
      obs[2 * k + 1] = k % 7 == 0 ? Double.NaN : rng.nextDouble(-10, 10);
      lines.add("gaps," + t + "," + obs[2 * k] + "," + (k % 7 == 0 ? "" : Double.toString(obs[2 * k + 1])));
      double u = rng.nextDouble();
      millis += u < 0.1 ? 1_000_000_000L : u < 0.2 ? 1 : 100;
    }
    Files.write(input, lines);
    return new Trajectory("gaps", times, obs, 2);
  }

  /**
   * The gap track in segments of 8 steps: the scan loses precision at the cuts next to the gaps, the driver
   * repairs those prefixes from the segments' own sequential filters (one INFO line naming the trajectory and
   * the cuts), and the trajectory is smoothed in segments (report.json: engine segmented); its written
   * filtered and smoothed moments equal the sequential engine's per element to 1e-9; nothing is lost.
   */
  @Test
  void illConditionedSegmentsAreRepairedAndSmoothedInSegments() throws IOException {
    Path input = dir.resolve("gaps.csv");
    Trajectory gaps = gapTrack(input);
    String out = dir.resolve("out-gaps").toString();
    SmoothReport report;
    List<String> repaired;
    List<String> refused;
    try (LogCapture log = LogCapture.of(SegmentedSmoothing.class)) {
      report = smooth(input.toString(), out, "8");
      repaired = log.lines(Level.INFO, "smooth: trajectory 'gaps': the scanned prefixes differed from the segments' own sequential filters by more than 1e-13 at ");
      refused = log.lines(Level.WARN, "cannot be smoothed in segments");
    }
    assertEquals(1, repaired.size(), "one line names the repaired cuts: " + repaired);
    assertTrue(repaired.get(0).matches(".*by more than 1e-13 at \\d+ of \\d+ cuts \\(first steps \\[[\\d, ]+\\](, \\.\\.\\.)?\\); there each segment "
        + "started from the previous segment's own sequential filter instead \\(\\d+ more rounds? of segment filters\\)"),
        repaired.get(0));
    assertEquals(List.of(), refused);
    assertEquals(Map.of("segmented", 1), SmoothJobTest.writtenReport(out).get("trajectories_by_engine"));
    assertEquals(gaps.length(), WrittenRows.count(spark, Path.of(out, "states"), "parquet"));
    assertEquals(gaps.length(), report.rowsOut);
    double worst = worstAgainstSequential(SmoothJobTest.trackingSpec().model(), gaps, out);
    System.out.printf(Locale.ROOT, "[segments] job: gap track in segments of 8, worst per element against the sequential "
        + "engine %.1e%n", worst);
    assertTrue(worst < 1e-9, "segmented states differ from the sequential engine's by " + worst);
  }

  /**
   * The gap track under rank-one piecewise noise in about 20 segments of 20 steps: the repairs advance one
   * cut per round and run out of rounds, so the trajectory goes back to the one-task path (one WARN line naming it)
   * and is smoothed there like any other, its states equal to the sequential engine's; nothing is lost.
   */
  @Test
  void segmentsThatCannotBeRepairedGoBackToOneTask() throws IOException {
    Path input = dir.resolve("gaps-piecewise.csv");
    Trajectory gaps = gapTrack(input);
    ModelSpec tracking = SmoothJobTest.trackingSpec();
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ModelSpec spec = new ModelSpec(new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.PIECEWISE, 0.7,
        new double[] {0.4, 0.6}, new double[] {1.0, -2.0, 0.5, 0.3}, cov), tracking.columns(), FitSpec.none(), null);
    String out = dir.resolve("out-gaps-piecewise").toString();
    SmoothReport report;
    List<String> refused;
    try (LogCapture log = LogCapture.of(SegmentedSmoothing.class)) {
      report = SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", out, "parquet", spec, EngineChoice.SEQUENTIAL,
          1, 3, false), SegmentSteps.parse("20"));
      refused = log.lines(Level.WARN, "smooth: trajectory 'gaps' cannot be smoothed in segments");
    }
    assertEquals(1, refused.size(), "one line names the refused trajectory");
    assertTrue(refused.get(0).contains("after 16 rounds of repairs); it is smoothed in one task instead"), refused.get(0));
    assertEquals(Map.of("sequential", 1), SmoothJobTest.writtenReport(out).get("trajectories_by_engine"));
    assertEquals(gaps.length(), WrittenRows.count(spark, Path.of(out, "states"), "parquet"));
    assertEquals(gaps.length(), report.rowsOut);
    double worst = worstAgainstSequential(spec.model(), gaps, out);
    assertTrue(worst < 1e-9, "one-task states differ from the sequential engine's by " + worst);
  }

  /**
   * The worst per-element difference ({@link ElementwiseComparison}'s measure) of the written filtered and
   * smoothed means and covariances from the sequential engine's.
   */
  private static double worstAgainstSequential(io.statespace.model.StateSpaceModel model, Trajectory tr, String out) {
    Posterior expected = new SequentialEngine().smooth(model, tr, Outputs.MOMENTS);
    List<Row> rows = spark.read().parquet(out + "/states").orderBy(org.apache.spark.sql.functions.col("t").cast("decimal(20,3)"))
        .collectAsList();
    assertEquals(tr.length(), rows.size());
    double worst = 0.0;
    String[] columns = {"filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"};
    double[][] references = {expected.filteredMeans(), expected.filteredCovariances(), expected.smoothedMeans(),
        expected.smoothedCovariances()};
    for (int c = 0; c < columns.length; c++) {
      double[] reference = references[c];
      int width = reference.length / tr.length();
      double[] actual = new double[reference.length];
      for (int k = 0; k < rows.size(); k++) {
        List<Object> v = rows.get(k).getList(rows.get(k).fieldIndex(columns[c]));
        for (int i = 0; i < width; i++) actual[k * width + i] = (Double) v.get(i);
      }
      double[] scales = width == 4 ? ElementwiseComparison.rmsScales(reference, 4)
          : ElementwiseComparison.matrixScales(reference, reference, 4);
      worst = Math.max(worst, ElementwiseComparison.worst(actual, reference, scales).ratio());
    }
    return worst;
  }

  @Test
  void refusesASegmentLengthThatIsNotAPositiveNumber() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentSteps.parse("0"));
    assertEquals("--segment-steps: '0' is neither auto nor a positive number of steps", e.getMessage());
    assertEquals("auto", SegmentSteps.parse("auto").toString());
    assertEquals(1L << 16, SegmentSteps.fromMemory(64L << 20, 4, 4, 2, 0), "floor");
    assertEquals(1L << 24, SegmentSteps.fromMemory(1L << 50, 1, 4, 2, 0), "ceiling");
    assertEquals((4L << 30) / 4 / 2 / SegmentSteps.bytesPerStep(4, 2, 0), SegmentSteps.fromMemory(4L << 30, 2, 4, 2, 0));
  }

  /** {@code actual} with the expected row's log-likelihood, so that the rest of the row compares exactly. */
  private static Row withLogLik(Row actual, Row expected) {
    Object[] values = new Object[actual.length()];
    for (int i = 0; i < values.length; i++) values[i] = actual.get(i);
    values[actual.fieldIndex("loglik")] = expected.get(expected.fieldIndex("loglik"));
    return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, actual.schema());
  }

  private static Map<String, Long> reasons(String out) {
    Map<String, Long> m = new HashMap<>();
    for (Row r : spark.read().parquet(out + "/quarantine").groupBy("reason_code").count().collectAsList()) {
      m.put(r.getString(0), r.getLong(1));
    }
    return m;
  }

  private static double worstRelative(List<Object> expected, List<Object> actual) {
    assertEquals(expected.size(), actual.size());
    double worst = 0.0;
    double scale = 0.0;
    for (Object v : expected) scale = Math.max(scale, Math.abs((Double) v));
    for (int i = 0; i < expected.size(); i++) {
      double a = (Double) expected.get(i);
      double b = (Double) actual.get(i);
      worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), Math.max(scale, 1e-300)));
    }
    return worst;
  }
}
