package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.execution.EngineChoice;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus of issue 6, generated here: each case yields correct results or quarantined rows
 * with a reason (or, for an unusable input, a clear error before any work), and rows in = rows out + rows
 * quarantined holds for every case. The outcome table is printed for the record.
 */
class BadInputCorpusTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static final List<String> TABLE = new ArrayList<>();

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("BadInputCorpusTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
    System.out.println("[BadInputCorpus] case | outcome | rows in | rows out | quarantined");
    TABLE.forEach(r -> System.out.println("[BadInputCorpus] " + r));
  }

  private static ModelSpec spec() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 4.0;
    return new ModelSpec(new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 1.0,
        new double[] {0.5, 0.5}, new double[] {0, 0, 0, 0}, cov),
        new Columns("id", "t", List.of("x", "y"), List.of()), FitSpec.none(), null);
  }

  private static SmoothReport run(String name, String csv, String outFormat) throws IOException {
    Path input = dir.resolve(name + ".csv");
    Files.writeString(input, csv, StandardCharsets.UTF_8);
    return runFile(name, input, outFormat);
  }

  private static SmoothReport runFile(String name, Path input, String outFormat) {
    SmoothReport r = SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", dir.resolve("out-" + name).toString(),
        outFormat, spec(), EngineChoice.AUTO, 1, 2, false));
    Path out = dir.resolve("out-" + name);
    long in = WrittenRows.csvDataLines(input);
    long states = WrittenRows.count(spark, out.resolve("states"), outFormat);
    long quarantined = WrittenRows.count(spark, out.resolve("quarantine"), outFormat);
    assertEquals(in, states + quarantined, name + ": input rows against the rows written to states/ and quarantine/ ("
        + states + " + " + quarantined + "); the job said " + r.accountingLine());
    assertEquals(in, r.rowsIn, name + ": rows in");
    return r;
  }

  private static void record(String name, String outcome, SmoothReport r) {
    TABLE.add(name + " | " + outcome + " | " + r.rowsIn + " | " + r.rowsOut + " | " + r.rowsQuarantined
        + (r.quarantineByReason.isEmpty() ? "" : " " + r.quarantineByReason));
  }

  private static Dataset<Row> states(String name) {
    return spark.read().option("header", "true").option("escape", "\"").csv(dir.resolve("out-" + name).resolve("states").toString());
  }

  @Test
  void nonNumericFields() throws IOException {
    SmoothReport r = run("non-numeric", "id,t,x,y\na,0,1,2\na,1,abc,2\na,2,1.5,2e\na,3,2,3\n", "csv");
    assertEquals(Map.of("bad_value", 2L), r.quarantineByReason);
    assertEquals(2, r.rowsOut);
    record("non-numeric fields", "quarantined bad_value", r);
  }

  @Test
  void nanAndInfiniteValuesAndTimes() throws IOException {
    SmoothReport r = run("nan-inf", "id,t,x,y\na,0,NaN,2\na,1,1,nan\na,2,Infinity,1\na,3,1,-inf\na,NaN,1,1\na,Infinity,1,1\na,4,1,1\n", "csv");
    assertEquals(Map.of("infinite_value", 2L, "bad_time", 2L), r.quarantineByReason);
    assertEquals(3, r.rowsOut, "NaN observations are missing values, kept");
    record("NaN/Inf values and times", "NaN value = missing (kept); Inf value, NaN/Inf time quarantined", r);
  }

  @Test
  void nullIds() throws IOException {
    SmoothReport r = run("null-id", "id,t,x,y\n,0,1,2\n,1,1,2\nb,0,1,2\n", "csv");
    assertEquals(Map.of("null_id", 2L), r.quarantineByReason);
    record("null ids", "quarantined null_id", r);
  }

  @Test
  void duplicateAndUnsortedTimes() throws IOException {
    SmoothReport r = run("dup-unsorted", "id,t,x,y\na,3,1,2\na,1,1,2\na,2,1,2\na,2,1.1,2.1\na,0,0,0\n", "csv");
    assertEquals(Map.of("duplicate_time", 2L), r.quarantineByReason);
    assertEquals(3, r.rowsOut);
    List<Double> times = new ArrayList<>();
    for (Row row : states("dup-unsorted").collectAsList()) times.add(Double.parseDouble(row.getAs("t")));
    assertEquals(List.of(0.0, 1.0, 3.0), times, "states come out ordered by time");
    record("duplicate and unsorted times", "sorted; all rows of a duplicated time quarantined", r);
  }

  @Test
  void wrongColumnCounts() throws IOException {
    SmoothReport r = run("columns", "id,t,x,y\na,0,1\na,1,1,2,3,4\na,2,1,2\n\"a,3,1,2\n", "csv");
    assertEquals(3, r.rowsQuarantined, r.accountingLine());
    assertEquals(Map.of("corrupt_record", 3L), r.quarantineByReason);
    record("wrong column counts / broken quoting", "quarantined corrupt_record", r);
  }

  @Test
  void missingColumnsIsAClearErrorBeforeAnyWork() throws IOException {
    Path input = dir.resolve("missing-col.csv");
    Files.writeString(input, "id,t,x\na,0,1\n");
    InputException e = assertThrows(InputException.class, () -> runFile("missing-col", input, "csv"));
    assertTrue(e.getMessage().contains("no column 'y'"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("out-missing-col")), "no output for an unusable input");
    TABLE.add("missing columns | error before any job: " + e.getMessage() + " | - | - | -");
  }

  @Test
  void emptyFilesGiveEmptyOutputs() throws IOException {
    SmoothReport r = run("empty", "", "csv");
    assertEquals(0, r.rowsIn);
    record("empty file (0 bytes)", "empty outputs", r);
    SmoothReport h = run("header-only", "id,t,x,y\n", "parquet");
    assertEquals(0, h.rowsIn);
    record("header only", "empty outputs", h);
  }

  @Test
  void oneStepAndAllMissingTrajectories() throws IOException {
    SmoothReport r = run("short", "id,t,x,y\none,5,1.5,-2\nnone,0,,\nnone,1,NA,\nnone,2,,NaN\n", "csv");
    assertEquals(4, r.rowsOut);
    assertEquals(0, r.rowsQuarantined);
    List<Row> summary = spark.read().option("header", "true").csv(dir.resolve("out-short/summary").toString()).collectAsList();
    for (Row s : summary) {
      double ll = Double.parseDouble(s.getAs("loglik"));
      if (s.getAs("id").equals("none")) {
        assertEquals(0.0, ll, "an all-missing trajectory has log-likelihood 0");
        assertEquals("3", s.getAs("missing"));
      } else {
        assertTrue(Double.isFinite(ll) && ll < 0);
      }
    }
    for (Row s : states("short").collectAsList()) {
      if (s.getAs("id").equals("none")) {
        assertEquals(0.0, Double.parseDouble(s.getAs("smoothed_mean_0")), 1e-12, "prior mean propagated");
      }
    }
    record("one-step and all-missing trajectories", "smoothed; all-missing loglik = 0", r);
  }

  @Test
  void extremeMagnitudes() throws IOException {
    SmoothReport r = run("magnitudes", "id,t,x,y\nbig,0,1e150,-1e150\nbig,1,1.0000001e150,-1e150\n"
        + "huge,0,1e300,1e300\nhuge,1,1e300,1e300\ntiny,0,1e-300,-1e-300\ntiny,1,2e-300,0\n", "csv");
    assertEquals(Map.of("inference_failed", 2L), r.quarantineByReason);
    assertEquals(4, r.rowsOut);
    for (Row s : states("magnitudes").collectAsList()) {
      for (String c : s.schema().fieldNames()) {
        if (c.startsWith("smoothed") || c.startsWith("filtered")) assertTrue(Double.isFinite(Double.parseDouble(s.getAs(c))), c);
      }
    }
    record("extremely large/small magnitudes", "1e150 and 1e-300 smoothed; 1e300 overflows: quarantined", r);
  }

  @Test
  void idsWithOddCharacters() throws IOException {
    String longId = "x".repeat(1000);
    List<String> ids = List.of("trajectoire-é", "🚗 1", "\"a,b\"", "tab\there", "quote\"\"d", " spaced ", longId);
    StringBuilder csv = new StringBuilder("id,t,x,y\n");
    for (String id : ids) {
      String cell = id.startsWith("\"") || id.contains("\"\"") ? (id.startsWith("\"") ? id : "\"" + id + "\"") : id;
      csv.append(cell).append(",0,1,2\n").append(cell).append(",1,1.1,2.1\n");
    }
    SmoothReport r = run("odd-ids", csv.toString(), "parquet");
    assertEquals(2L * ids.size(), r.rowsOut, r.accountingLine());
    assertEquals(ids.size(), r.trajectories);
    List<String> written = new ArrayList<>();
    for (Row s : spark.read().parquet(dir.resolve("out-odd-ids/summary").toString()).collectAsList()) written.add(s.getAs("id"));
    assertTrue(written.contains("trajectoire-é") && written.contains("🚗 1") && written.contains("a,b")
        && written.contains(longId) && written.contains("quote\"d"), written.toString());
    record("ids with odd characters", "kept verbatim (unicode, emoji, quotes, commas, 1000 chars)", r);
  }

  @Test
  void aTrajectoryOfAMillionSteps() throws IOException {
    Path input = dir.resolve("long.csv");
    SplittableRandom rng = new SplittableRandom(9);
    int steps = 1_000_000;
    try (BufferedWriter w = Files.newBufferedWriter(input)) {
      w.write("id,t,x,y\n");
      double x = 0;
      double v = 1;
      for (int k = 0; k < steps; k++) {
        v += 0.01 * (rng.nextDouble() - 0.5);
        x += 0.1 * v;
        w.write("long," + (0.1 * k) + "," + (rng.nextDouble() < 0.1 ? "" : Double.toString(x + 0.5 * (rng.nextDouble() - 0.5)))
            + "," + (0.5 * rng.nextDouble()) + "\n");
      }
    }
    SmoothReport r = runFile("long", input, "parquet");
    assertEquals(steps, r.rowsOut);
    assertEquals(1, r.trajectories);
    record("one trajectory of 10^6 steps", "smoothed in one piece", r);
  }
}
