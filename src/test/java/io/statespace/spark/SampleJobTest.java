package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.cli.Main;
import io.statespace.data.Trajectory;
import io.statespace.inference.sampling.DrawStream;
import io.statespace.inference.sampling.SamplingKernel;
import io.statespace.inference.sampling.TrajectorySampler;
import io.statespace.ml.KalmanSmoother;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample job and {@code KalmanSmoother.sample} on a real local SparkSession: draws independent of the
 * partitioning, equal to the sampler's draws for (seed, id, draw), rows counted in the written files
 * ((rows in − rows quarantined) × K), quarantine kept, the API equal to the CLI, refusals in one line.
 */
class SampleJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path model;
  private static Path input;
  /** Data lines of {@link #input} (rows in), and the rows the job must quarantine. */
  private static long rowsIn;
  private static final long QUARANTINED = 3;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("SampleJobTest");
    ModelSpec spec = SmoothJobTest.trackingSpec();
    model = dir.resolve("tracking.json");
    Files.writeString(model, spec.toJson());
    input = dir.resolve("tracks.csv");
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.2, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(21);
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 24; k++) sink.write(scenario.generate("trk-" + k, 1 + rng.nextInt(40), rng.split()));
    }
    // One unparsable value and two rows sharing a time: three rows for quarantine, the rest of "dup" sampled.
    Files.writeString(input, "trk-0,99.0,abc,1.0\ndup,0.0,1.0,2.0\ndup,0.0,1.5,2.5\ndup,0.3,1.2,2.2\n",
        StandardOpenOption.APPEND);
    rowsIn = WrittenRows.csvDataLines(input);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static int cli(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    if (code != 0) System.err.println(err);
    return code;
  }

  private static String sample(String name, int partitions, String format) {
    String out = dir.resolve(name).toString();
    assertEquals(0, cli("sample", "--input", input.toString(), "--model", model.toString(), "--output", out, "--draws", "3",
        "--seed", "7", "--partitions", String.valueOf(partitions), "--output-format", format));
    return out;
  }

  @Test
  void oneAndThreePartitionsWriteTheSameFilesCountedRowByRow() throws IOException {
    String one = sample("p1", 1, "csv");
    String three = sample("p3", 3, "csv");
    List<String> rows = WrittenRows.csvPartRows(Path.of(one, "samples"));
    assertEquals(rows, WrittenRows.csvPartRows(Path.of(three, "samples")), "samples/ with 1 and 3 partitions");
    assertEquals(WrittenRows.csvPartRows(Path.of(one, "quarantine")), WrittenRows.csvPartRows(Path.of(three, "quarantine")));

    List<String> quarantine = WrittenRows.csvPartRows(Path.of(one, "quarantine"));
    assertEquals(QUARANTINED, quarantine.size(), quarantine.toString());
    assertEquals(1, quarantine.stream().filter(l -> l.startsWith("trk-0,99.0,bad_value,")).count(), quarantine.toString());
    assertEquals(2, quarantine.stream().filter(l -> l.startsWith("dup,0.0,duplicate_time,")).count(), quarantine.toString());

    assertEquals((rowsIn - QUARANTINED) * 3, rows.size(), "rows written = (rows in - rows quarantined) x draws");
    Map<String, List<String>> drawsByRow = new HashMap<>();
    for (String line : rows) {
      String[] f = line.split(",", -1);
      assertEquals(9, f.length, "id, t, x, y, draw, sample_0..3: " + line);
      drawsByRow.computeIfAbsent(f[0] + "," + f[1], k -> new ArrayList<>()).add(f[4]);
    }
    assertEquals(rowsIn - QUARANTINED, drawsByRow.size(), "every sampled input row appears");
    for (Map.Entry<String, List<String>> e : drawsByRow.entrySet()) {
      assertEquals(List.of("0", "1", "2"), e.getValue().stream().sorted().collect(Collectors.toList()), e.getKey());
    }
    assertTrue(drawsByRow.containsKey("dup,0.3"), "the rest of a trajectory with a shared time is sampled");
    assertEquals("id,t,x,y,draw,sample_0,sample_1,sample_2,sample_3",
        Files.readAllLines(Files.list(Path.of(one, "samples")).filter(p -> p.getFileName().toString().startsWith("part-"))
            .filter(p -> p.toFile().length() > 0).findFirst().orElseThrow()).get(0));

    Map<?, ?> report = SmoothJobTest.writtenReport(one);
    assertEquals(3, report.get("draws"));
    assertEquals(7, report.get("seed"));
    assertEquals((int) rowsIn, report.get("rows_in"));
    assertEquals((int) (rowsIn - QUARANTINED) * 3, report.get("rows_out"));
    assertEquals((int) QUARANTINED, report.get("rows_quarantined"));
    assertEquals(Map.of("bad_value", 1, "duplicate_time", 2), report.get("quarantine_by_reason"));
    assertEquals(25, report.get("trajectories"));
    assertTrue(Files.exists(Path.of(one, "model.json")) && Files.exists(Path.of(one, AtomicOutput.MARKER)));
  }

  @Test
  void theWrittenDrawsAreTheSamplersDrawsForSeedIdAndDrawIndex() throws IOException {
    Path one = dir.resolve("one.csv");
    Files.writeString(one, "id,t,x,y\nA,0.25,1.0,-1.7\nA,0,1.1,-1.9\nA,0.1,,\nA,0.1000001,1.4,\nA,0.9,,-1.2\n");
    String out = dir.resolve("one-out").toString();
    assertEquals(0, cli("sample", "--input", one.toString(), "--model", model.toString(), "--output", out, "--draws", "4",
        "--seed", "-3", "--output-format", "parquet"));
    double nan = Double.NaN;
    Trajectory tr = new Trajectory("A", new double[] {0, 0.1, 0.1000001, 0.25, 0.9},
        new double[] {1.1, -1.9, nan, nan, 1.4, nan, 1.0, -1.7, nan, -1.2}, 2);
    SamplingKernel kernel = new TrajectorySampler().kernel(SmoothJobTest.trackingSpec().model(), tr);
    double[] times = {0, 0.1, 0.1000001, 0.25, 0.9};
    List<Row> rows = spark.read().parquet(out + "/samples").collectAsList();
    assertEquals(20, rows.size());
    double[] x = new double[5 * 4];
    for (int d = 0; d < 4; d++) {
      kernel.draw(new DrawStream(DrawStream.trajectorySeed(-3, "A"), d), x);
      for (int t = 0; t < 5; t++) {
        int draw = d;
        double time = times[t];
        Row r = rows.stream().filter(w -> w.getInt(4) == draw && Double.parseDouble(String.valueOf(w.get(1))) == time).findFirst()
            .orElseThrow();
        double[] expected = new double[4];
        System.arraycopy(x, t * 4, expected, 0, 4);
        List<Double> got = r.getList(5);
        assertArrayEquals(expected, got.stream().mapToDouble(Double::doubleValue).toArray(), "draw " + d + ", step " + t);
      }
    }
  }

  @Test
  void theApiGivesTheRowsTheCliWrites() throws IOException {
    String parquetInput = dir.resolve("tracks.parquet").toString();
    Dataset<Row> typed = spark.read().option("header", "true").schema("id string, t double, x double, y double")
        .csv(input.toString());
    typed.write().parquet(parquetInput);
    String out = dir.resolve("api-cli").toString();
    assertEquals(0, cli("sample", "--input", parquetInput, "--model", model.toString(), "--output", out, "--draws", "2",
        "--seed", "11", "--partitions", "2"));
    Dataset<Row> api = new KalmanSmoother().setModelFile(model.toString()).setPartitions(3)
        .sample(spark.read().parquet(parquetInput), 2, 11L);
    assertEquals(List.of("id", "t", "x", "y", "draw", "sample"), List.of(api.columns()));
    List<String> fromApi = text(api);
    List<String> fromCli = text(spark.read().parquet(out + "/samples"));
    assertEquals(fromCli.size(), fromApi.size());
    assertEquals(fromCli, fromApi);
    assertTrue(fromApi.size() > 100, "the comparison covers the sample: " + fromApi.size());
  }

  @Test
  void handleInvalidErrorFailsOnAQuarantinedRowNamingIt() {
    Dataset<Row> df = spark.read().option("header", "true").csv(input.toString());
    KalmanSmoother smoother = new KalmanSmoother().setModelFile(model.toString());
    long kept = smoother.sample(df, 2, 1L).count();
    assertEquals((rowsIn - QUARANTINED) * 2, kept, "keep: quarantined rows are left out of the samples");
    Dataset<Row> failing = smoother.setHandleInvalid("error").sample(df, 2, 1L);
    SparkException e = assertThrows(SparkException.class, failing::count);
    assertTrue(String.valueOf(e.getMessage()).contains("handleInvalid=error: the row with id "), e.getMessage());
  }

  @Test
  void aTrajectoryWhoseKernelOverflowsIsQuarantinedWithAllItsRows() throws IOException {
    Path in = dir.resolve("huge.csv");
    Files.writeString(in, "id,t,x,y\nhuge,0,1e308,1e308\nhuge,0.1,-1e308,1e308\nhuge,0.2,1e308,-1e308\nok,0,1,2\nok,0.1,1.1,2.1\n");
    String out = dir.resolve("huge-out").toString();
    assertEquals(0, cli("sample", "--input", in.toString(), "--model", model.toString(), "--output", out, "--draws", "5"));
    List<String> quarantine = WrittenRows.csvPartRows(Path.of(out, "quarantine"));
    assertEquals(3, quarantine.size(), quarantine.toString());
    assertTrue(quarantine.stream().allMatch(l -> l.startsWith("huge,") && l.contains(",inference_failed,\"inference failed: "
        + "trajectory 'huge', step 1: backward-sampling mean is not finite\"")), quarantine.toString());
    List<String> samples = WrittenRows.csvPartRows(Path.of(out, "samples"));
    assertEquals(2 * 5, samples.size(), "the other trajectory's rows x draws");
    assertTrue(samples.stream().allMatch(l -> l.startsWith("ok,")), samples.toString());
  }

  @Test
  void theApiSamplesASingleSeriesWithoutAnIdAndRefusesZeroDraws() {
    Dataset<Row> nile = spark.createDataFrame(List.of(
        org.apache.spark.sql.RowFactory.create(1871, 1120.0), org.apache.spark.sql.RowFactory.create(1872, 1160.0),
        org.apache.spark.sql.RowFactory.create(1873, null), org.apache.spark.sql.RowFactory.create(1874, 1210.0)),
        new org.apache.spark.sql.types.StructType().add("year", "int").add("flow", "double"));
    KalmanSmoother smoother = new KalmanSmoother().setModelJson("{\"family\": \"local-level\", \"level_std\": 38.3, "
        + "\"measurement_std\": 122.9, \"initial\": {\"mean\": [1000], \"cov\": [[1e7]]}, "
        + "\"columns\": {\"time\": \"year\", \"observations\": [\"flow\"]}}");
    Dataset<Row> draws = smoother.sample(nile, 3, 5L);
    assertEquals(List.of("id", "year", "flow", "draw", "sample"), List.of(draws.columns()));
    List<Row> rows = draws.collectAsList();
    assertEquals(12, rows.size(), "4 rows x 3 draws");
    assertTrue(rows.stream().allMatch(r -> "series".equals(r.getString(0)) && r.getList(4).size() == 1), rows.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> smoother.sample(nile, 0, 5L));
    assertTrue(e.getMessage().endsWith(": draws must be at least 1, got 0"), e.getMessage());
  }

  @Test
  void badDrawsAndClashingColumnsAreRefusedBeforeWork() throws IOException {
    String out = dir.resolve("refused").toString();
    StringWriter err = new StringWriter();
    assertEquals(2, Main.execute(new PrintWriter(err, true), "sample", "--input", input.toString(), "--model",
        model.toString(), "--output", out, "--draws", "0"));
    assertEquals("error: --draws must be at least 1, got 0", err.toString().trim());
    err = new StringWriter();
    assertEquals(2, Main.execute(new PrintWriter(err, true), "sample", "--input", input.toString(), "--model",
        model.toString(), "--output", out, "--draws", "2", "--observation-columns", "x,draw"));
    assertEquals("error: column name 'draw' clashes with an output column of sample; rename it in the input or map it "
        + "with the column options", err.toString().trim());
    assertFalse(Files.exists(Path.of(out)), "nothing written");
  }

  /** Rows as sortable text: every column, arrays element by element (doubles printed exactly). */
  private static List<String> text(Dataset<Row> rows) {
    List<String> lines = new ArrayList<>();
    for (Row r : rows.collectAsList()) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        Object v = r.get(i);
        s.append(v instanceof scala.collection.Seq<?> ? r.getList(i).toString() : String.valueOf(v)).append('|');
      }
      lines.add(s.toString());
    }
    java.util.Collections.sort(lines);
    return lines;
  }
}
