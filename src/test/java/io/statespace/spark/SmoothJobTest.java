package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.execution.EngineChoice;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.simulate.SimulatedTrajectory;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smooth job on a real local SparkSession: results, row accounting, types and atomic output. */
class SmoothJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  private static final Columns COLUMNS = new Columns("id", "t", List.of("x", "y"), List.of());

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("SmoothJobTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The tracking model (2-D constant velocity, dt from the time column) with columns id, t, x, y. */
  static ModelSpec trackingSpec() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel model = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
        0.7, new double[] {0.4, 0.6}, new double[] {1.0, -2.0, 0.5, 0.3}, cov);
    return new ModelSpec(model, COLUMNS, FitSpec.none(), null);
  }

  private static SmoothReport smooth(String input, String format, String output, String outFormat, ModelSpec spec) {
    return smooth(input, format, output, outFormat, spec, EngineChoice.SEQUENTIAL);
  }

  private static SmoothReport smooth(String input, String format, String output, String outFormat, ModelSpec spec,
      EngineChoice engine) {
    return SmoothJob.run(spark, new SmoothSettings(input, format, output, outFormat, spec, engine, 2, 3, false));
  }

  @Test
  void parallelEngineWritesWhatTheSequentialEngineWrites() throws IOException {
    assertEngineWritesWhatTheSequentialEngineWrites(EngineChoice.PARALLEL, "parallel", "parallel", 6, 300, 3);
  }

  @Test
  void batchedEngineWritesWhatTheSequentialEngineWrites() throws IOException {
    assertEngineWritesWhatTheSequentialEngineWrites(EngineChoice.BATCHED, "batched", "batched", 40, 150, 4);
  }

  @Test
  void autoEngineWritesWhatTheSequentialEngineWrites() throws IOException {
    assertEngineWritesWhatTheSequentialEngineWrites(EngineChoice.AUTO, "auto: batched", "batched", 30, 100, 5);
  }

  /**
   * Job output (states and summary) with {@code engine} equals the sequential engine's within 1e-9, and the
   * written report.json says that {@code producedBy} (and nothing else: no fallback) produced every trajectory
   * of the one run and the sequential engine every trajectory of the other.
   */
  private static void assertEngineWritesWhatTheSequentialEngineWrites(EngineChoice engine, String described,
      String producedBy, int trajectories, int maxSteps, long seed) throws IOException {
    ModelSpec spec = trackingSpec();
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.1, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(seed);
    String name = engine.name().toLowerCase(java.util.Locale.ROOT);
    Path input = dir.resolve(name + ".csv");
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < trajectories; k++) sink.write(scenario.generate(name + k, 1 + rng.nextInt(maxSteps), rng.split()));
    }
    String seq = dir.resolve("out-seq-" + name).toString();
    String other = dir.resolve("out-" + name).toString();
    smooth(input.toString(), "csv", seq, "parquet", spec, EngineChoice.SEQUENTIAL);
    SmoothReport report = smooth(input.toString(), "csv", other, "parquet", spec, engine);
    assertTrue(report.engine.contains(described), report.engine);
    assertEquals(Map.of("sequential", trajectories), writtenReport(seq).get("trajectories_by_engine"));
    assertEquals(Map.of(producedBy, trajectories), writtenReport(other).get("trajectories_by_engine"),
        "which engine produced the rows");
    assertEquals(Map.of("cpu", trajectories), writtenReport(other).get("trajectories_by_backend"));
    List<Row> ra = spark.read().parquet(seq + "/states").orderBy("id", "t").collectAsList();
    List<Row> rb = spark.read().parquet(other + "/states").orderBy("id", "t").collectAsList();
    assertEquals(ra.size(), rb.size());
    double worst = 0.0;
    for (int i = 0; i < ra.size(); i++) {
      assertEquals(ra.get(i).<String>getAs("id"), rb.get(i).<String>getAs("id"));
      assertEquals(ra.get(i).<String>getAs("t"), rb.get(i).<String>getAs("t"));
      for (String c : new String[] {"filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"}) {
        List<Double> x = ra.get(i).getList(ra.get(i).fieldIndex(c));
        double[] y = rb.get(i).getList(rb.get(i).fieldIndex(c)).stream().mapToDouble(v -> (Double) v).toArray();
        worst = Math.max(worst, maxRel(x, y, 0, y.length));
      }
    }
    assertTrue(worst < 1e-9, name + " and sequential job outputs differ by " + worst);
    List<Row> sa = spark.read().parquet(seq + "/summary").orderBy("id").collectAsList();
    List<Row> sb = spark.read().parquet(other + "/summary").orderBy("id").collectAsList();
    assertEquals(trajectories, sb.size());
    for (int i = 0; i < sa.size(); i++) {
      assertEquals(sa.get(i).<String>getAs("id"), sb.get(i).<String>getAs("id"));
      assertEquals(sa.get(i).<Integer>getAs("steps"), sb.get(i).<Integer>getAs("steps"));
      double ll = sa.get(i).<Double>getAs("loglik");
      assertEquals(ll, sb.get(i).<Double>getAs("loglik"), 1e-9 * Math.abs(ll));
    }
  }

  /** The report.json the job wrote, read back. */
  static Map<?, ?> writtenReport(String output) throws IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().readValue(Path.of(output, "report.json").toFile(), Map.class);
  }

  @Test
  void statesAndSummaryEqualTheEngineOnEveryTrajectoryOfAShuffledInput() throws IOException {
    ModelSpec spec = trackingSpec();
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.2, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(11);
    List<SimulatedTrajectory> sims = new ArrayList<>();
    for (int k = 0; k < 25; k++) sims.add(scenario.generate("tr-" + k, 1 + rng.nextInt(60), rng.split()));
    Path sorted = dir.resolve("sorted.csv");
    try (CsvSink sink = new CsvSink(sorted, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      sims.forEach(sink::write);
    }
    List<String> lines = Files.readAllLines(sorted);
    List<String> body = new ArrayList<>(lines.subList(1, lines.size()));
    Collections.shuffle(body, new Random(5));
    Path shuffled = dir.resolve("shuffled.csv");
    Files.write(shuffled, Stream.concat(Stream.of(lines.get(0)), body.stream()).collect(Collectors.toList()));

    String out = dir.resolve("out-parquet").toString();
    SmoothReport report = smooth(shuffled.toString(), "csv", out, "parquet", spec);
    assertEquals(body.size(), report.rowsIn);
    assertEquals(body.size(), report.rowsOut);
    assertEquals(0, report.rowsQuarantined);
    assertEquals(sims.size(), report.trajectories);

    Map<String, Posterior> expected = new HashMap<>();
    Map<String, Trajectory> trajectories = new HashMap<>();
    SequentialEngine engine = new SequentialEngine();
    for (SimulatedTrajectory s : sims) {
      Trajectory tr = new Trajectory(s.id, s.times, s.observations, 2);
      trajectories.put(s.id, tr);
      expected.put(s.id, engine.smooth(spec.model(), tr, Outputs.MOMENTS));
    }
    assertEquals(org.apache.spark.sql.types.DataTypes.DoubleType, spark.read().parquet(out + "/states").schema().apply("t").dataType(),
        "a CSV's numeric time is a number in Parquet");
    List<Row> states = spark.read().parquet(out + "/states").collectAsList();
    assertEquals(body.size(), states.size());
    double worst = 0.0;
    for (Row r : states) {
      String id = r.getAs("id");
      double t = r.<Double>getAs("t");
      Trajectory tr = trajectories.get(id);
      int step = java.util.Arrays.binarySearch(tr.times(), t);
      assertTrue(step >= 0, "time " + t + " of " + id + " not in the input");
      Posterior p = expected.get(id);
      worst = Math.max(worst, maxRel(r.getList(r.fieldIndex("smoothed_mean")), p.smoothedMeans(), step * 4, 4));
      worst = Math.max(worst, maxRel(r.getList(r.fieldIndex("smoothed_cov")), p.smoothedCovariances(), step * 16, 16));
      worst = Math.max(worst, maxRel(r.getList(r.fieldIndex("filtered_mean")), p.filteredMeans(), step * 4, 4));
      worst = Math.max(worst, maxRel(r.getList(r.fieldIndex("filtered_cov")), p.filteredCovariances(), step * 16, 16));
      double x = tr.observations()[step * 2];
      assertEquals(Double.isNaN(x), r.isNullAt(r.fieldIndex("x")), "missing x must be written as null");
    }
    assertTrue(worst <= 1e-12, "job output differs from the engine by " + worst);
    for (Row r : spark.read().parquet(out + "/summary").collectAsList()) {
      Trajectory tr = trajectories.get(r.<String>getAs("id"));
      assertEquals(tr.length(), r.<Integer>getAs("steps"));
      assertEquals(tr.missingSteps(), r.<Integer>getAs("missing"));
      assertEquals(tr.missingValues(), r.<Integer>getAs("missing_values"));
      double ll = expected.get(tr.id()).logLikelihood();
      assertEquals(ll, r.<Double>getAs("loglik"), 1e-12 * Math.abs(ll));
    }
  }

  private static double maxRel(List<Double> actual, double[] expected, int offset, int len) {
    double diff = 0.0;
    double scale = 0.0;
    for (int i = 0; i < len; i++) {
      diff = Math.max(diff, Math.abs(actual.get(i) - expected[offset + i]));
      scale = Math.max(scale, Math.abs(expected[offset + i]));
    }
    return scale == 0.0 ? diff : diff / scale;
  }

  @Test
  void badRowsAreQuarantinedWithAReasonAndNothingIsLost() throws IOException {
    String csv = String.join("\n",
        "id,t,x,y",
        "a,0.3,1.0,2.0",
        "a,0.0,0.9,1.8",
        "a,0.1,abc,2.0",          // unparsable number
        "a,0.2,1.1,inf",          // infinite value
        ",0.4,1.0,1.0",           // null id
        "a,,1.0,1.0",             // null time
        "a,NaN,1.0,1.0",          // time not finite
        "a,yesterday,1.0,1.0",    // time not parsable
        "a,0.5,1.2",              // too few fields
        "a,0.6,1.2,2.2,9",        // too many fields
        "a,0.7,,",                // all missing: kept
        "a,0.8,NA,2.5",           // partly missing: kept
        "b,1.0,0.0,0.0",
        "b,2.0,0.1,0.0",          // duplicate time 2.0 ...
        "b,2.0,0.2,0.0",          // ... both quarantined
        "b,3.0,0.3,0.1",
        "c,5.0,1.0,1.0",          // one-step trajectory
        "") + "\n";
    Path input = dir.resolve("bad.csv");
    Files.writeString(input, csv);
    String out = dir.resolve("out-bad").toString();
    SmoothReport report = smooth(input.toString(), "csv", out, "csv", trackingSpec());
    assertEquals(17, report.rowsIn);
    assertEquals(Map.of("bad_value", 1L, "infinite_value", 1L, "null_id", 1L, "bad_time", 3L, "corrupt_record", 2L,
        "duplicate_time", 2L), report.quarantineByReason);
    assertEquals(7, report.rowsOut);
    assertEquals(3, report.trajectories);

    Dataset<Row> states = spark.read().option("header", "true").csv(out + "/states");
    assertEquals(4, states.filter("id = 'a'").count());
    assertEquals(2, states.filter("id = 'b'").count());
    assertTrue(Arrays2.hasColumns(states.columns(), "smoothed_cov_3_3", "filtered_mean_0", "x", "y"));
    for (Row r : states.collectAsList()) {
      for (String c : states.columns()) {
        if (c.startsWith("smoothed") || c.startsWith("filtered")) {
          assertTrue(Double.isFinite(Double.parseDouble(r.getAs(c))), c + " not finite in " + r);
        }
      }
    }
    List<Row> quarantine = spark.read().option("header", "true").csv(out + "/quarantine").collectAsList();
    assertEquals(10, quarantine.size());
    assertEquals(WrittenRows.csvDataLines(input), states.count() + quarantine.size(),
        "input rows against the rows written to states/ and quarantine/");
    for (Row r : quarantine) {
      assertFalse(((String) r.getAs("reason")).isBlank());
      assertFalse(((String) r.getAs("row")).isBlank());
    }
  }

  @Test
  void typedParquetInputKeepsIdAndTimeTypes() {
    StructType schema = new StructType()
        .add("id", DataTypes.LongType).add("t", DataTypes.TimestampType)
        .add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    long base = 1_700_000_000_000L;
    for (int k = 0; k < 20; k++) {
      double x = k % 7 == 3 ? Double.NaN : 0.1 * k;
      Double y = k % 5 == 2 ? null : 0.05 * k;
      rows.add(RowFactory.create(42L, new Timestamp(base + 250L * k), x, y));
      rows.add(RowFactory.create(7L, new Timestamp(base + 1000L * k), 1.0 - 0.1 * k, y));
    }
    String input = dir.resolve("typed.parquet").toString();
    spark.createDataFrame(rows, schema).write().parquet(input);
    String out = dir.resolve("out-typed").toString();
    SmoothReport report = smooth(input, "parquet", out, "json", trackingSpec());
    assertEquals(40, report.rowsOut);
    Dataset<Row> states = spark.read().parquet(input).join(
        spark.read().schema(new StructType().add("id", DataTypes.LongType).add("t", DataTypes.TimestampType)
            .add("smoothed_mean", DataTypes.createArrayType(DataTypes.DoubleType))).json(out + "/states"),
        new scala.collection.immutable.Set.Set2<>("id", "t").toSeq());
    assertEquals(40, states.count(), "every output row must match an input (id, time) exactly");
    Dataset<Row> written = spark.read().json(out + "/states");
    assertEquals(DataTypes.LongType, written.schema().apply("id").dataType(), "the output must keep numeric ids numeric");
  }

  @Test
  void existingOutputIsRefusedAndAFailedRunLeavesNothingBehind() throws IOException {
    Path input = dir.resolve("small.csv");
    Files.writeString(input, "id,t,x,y\na,0,1,2\na,1,1.5,2.5\n");
    Path existing = Files.createDirectories(dir.resolve("existing"));
    AtomicOutput.OutputException exists = assertThrows(AtomicOutput.OutputException.class,
        () -> smooth(input.toString(), "csv", existing.toString(), "csv", trackingSpec()));
    assertTrue(exists.getMessage().contains("already exists (pass --overwrite to replace it)"), exists.getMessage());
    Path target = dir.resolve("never");
    org.apache.spark.SparkClassNotFoundException unknown = assertThrows(org.apache.spark.SparkClassNotFoundException.class,
        () -> smooth(input.toString(), "csv", target.toString(), "no-such-format", trackingSpec()));
    assertTrue(unknown.getMessage().contains("Failed to find the data source: no-such-format"), unknown.getMessage());
    assertFalse(Files.exists(target), "a failed run must not leave an output directory");
    try (Stream<Path> left = Files.list(dir)) {
      assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".never.tmp-")), "staging directory left behind");
    }
  }

  @Test
  void missingColumnIsAClearError() throws IOException {
    Path input = dir.resolve("nocol.csv");
    Files.writeString(input, "id,t,x\na,0,1\n");
    InputException e = assertThrows(InputException.class,
        () -> smooth(input.toString(), "csv", dir.resolve("o-nocol").toString(), "csv", trackingSpec()));
    assertTrue(e.getMessage().contains("no column 'y'"), e.getMessage());
  }

  /** Tiny helper kept local to this test. */
  private static final class Arrays2 {
    static boolean hasColumns(String[] columns, String... wanted) {
      List<String> all = List.of(columns);
      for (String w : wanted) {
        if (!all.contains(w)) return false;
      }
      return true;
    }
  }
}
