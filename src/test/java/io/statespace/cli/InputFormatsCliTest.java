package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user's files look like at the front door: an input whose name says nothing is read by its content
 * (Parquet and ORC magic bytes), a missing input or an unreadable --model path is one line and exit 2 before
 * Spark starts, --model takes a Hadoop URI, simulate never writes CSV under a Parquet name, CSV times keep
 * their numeric type in typed outputs, and plot finds a smooth output's format itself and never ends in a
 * stack trace.
 */
class InputFormatsCliTest {
  private static final String MODEL = "conf/tracking.json";

  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new Result(code, err.toString());
  }

  /** Exit 2, one line saying {@code words}, and no Spark session left behind (none was started). */
  private static void assertOneLineRefusal(Result r, String words) {
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.contains(words), "stderr should say '" + words + "': " + r.err);
    assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
    assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
  }

  private Path csv(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static String tracks(int ids, int steps) {
    StringBuilder s = new StringBuilder("id,t,x,y\n");
    for (int k = 0; k < ids; k++) {
      for (int t = 0; t < steps; t++) s.append("trk-").append(k).append(',').append(t).append(',').append(0.1 * t + k).append(',').append(0.2 * t).append('\n');
    }
    return s.toString();
  }

  private static <T> T withSpark(java.util.function.Function<SparkSession, T> read) {
    SparkSession spark = SparkTestSession.start("read back");
    try {
      return read.apply(spark);
    } finally {
      spark.stop();
    }
  }

  @Test
  void parquetAndOrcWithoutAnExtensionAreReadByTheirContent() throws Exception {
    Path input = csv("in.csv", tracks(3, 5));
    for (String fmt : List.of("parquet", "orc")) {
      Path first = dir.resolve("first-" + fmt);
      Result w = run("smooth", "--input", input.toString(), "--model", MODEL, "--output", first.toString(), "--output-format", fmt);
      assertEquals(0, w.code, w.err);
      Path states = first.resolve("states");
      Path again = dir.resolve("again-" + fmt);
      Result r = run("smooth", "--input", states.toString(), "--model", MODEL, "--output", again.toString(), "--output-format", "csv");
      assertEquals(0, r.code, "a directory of " + fmt + " parts, no --format: " + r.err);
      assertEquals(15, WrittenRows.count(null, again.resolve("states"), "csv"), fmt);
      assertEquals(0, WrittenRows.count(null, again.resolve("quarantine"), "csv"), fmt);

      Path part;
      try (Stream<Path> parts = Files.list(states)) {
        part = parts.filter(p -> p.getFileName().toString().startsWith("part-") && p.toFile().length() > 0)
            .filter(p -> !p.toString().endsWith(".crc")).sorted().findFirst().orElseThrow();
      }
      Path bare = Files.copy(part, dir.resolve("bare-" + fmt));
      long rowsInPart = withSpark(s -> s.read().format(fmt).load(bare.toString()).count());
      Path single = dir.resolve("single-" + fmt);
      Result f = run("smooth", "--input", bare.toString(), "--model", MODEL, "--output", single.toString(), "--output-format", "csv");
      assertEquals(0, f.code, "one " + fmt + " file named without an extension: " + f.err);
      assertEquals(rowsInPart, WrittenRows.count(null, single.resolve("states"), "csv"), fmt);
    }
  }

  @Test
  void aMissingInputIsOneLineBeforeSparkStarts() {
    Result r = run("smooth", "--input", dir.resolve("nope.csv").toString(), "--model", MODEL, "--output", dir.resolve("o").toString());
    assertOneLineRefusal(r, "--input: no such file or directory " + dir.resolve("nope.csv"));
    assertFalse(SparkSession.getActiveSession().isDefined(), "no Spark session may start");
    Result glob = run("fit", "--input", dir.resolve("none-*.csv").toString(), "--model", MODEL, "--output", dir.resolve("o").toString());
    assertOneLineRefusal(glob, "--input: no such file or directory");
  }

  @Test
  void modelIsReadFromAHadoopUriAndAnUnreadableOneIsOneLine() throws Exception {
    Path input = csv("in.csv", tracks(2, 4));
    String uri = Path.of(MODEL).toAbsolutePath().toUri().toString();
    assertTrue(uri.startsWith("file:/"), uri);
    Result r = run("smooth", "--input", input.toString(), "--model", uri, "--output", dir.resolve("o").toString());
    assertEquals(0, r.code, r.err);
    assertEquals(8, WrittenRows.count(null, dir.resolve("o/states"), "csv"));
    assertOneLineRefusal(run("smooth", "--input", input.toString(), "--model", "nosuchfs://host/m.json", "--output",
        dir.resolve("o2").toString()), "--model: cannot read nosuchfs://host/m.json");
    assertOneLineRefusal(run("smooth", "--input", input.toString(), "--model", dir.resolve("none.json").toUri().toString(),
        "--output", dir.resolve("o3").toString()), "--model: no such file");
  }

  @Test
  void simulateRefusesAParquetName() {
    for (String name : List.of("x.parquet", "x.orc", "x.json")) {
      Result r = run("simulate", "--model", MODEL, "--output", dir.resolve(name).toString(), "--trajectories", "2", "--steps", "3");
      assertOneLineRefusal(r, "simulate writes CSV only");
      assertFalse(Files.exists(dir.resolve(name)), name + " must not be written");
    }
  }

  private DataType timeType(Path out, String fmt) {
    return withSpark(s -> s.read().format(fmt).load(out.resolve("states").toString()).schema().apply("t").dataType());
  }

  private List<Object> times(Path out, String fmt) {
    return withSpark(s -> s.read().format(fmt).load(out.resolve("states").toString()).orderBy("id", "t")
        .select("t").collectAsList().stream().map(row -> row.get(0)).toList());
  }

  @Test
  void csvTimesKeepANumericTypeInTypedOutputs() throws Exception {
    Path ints = csv("ints.csv", "id,t,x,y\na,1700000000000000001,1,2\na,1700000000000000002,2,3\nb,5,1,1\n");
    Path out = dir.resolve("ints-out");
    assertEquals(0, run("smooth", "--input", ints.toString(), "--model", MODEL, "--output", out.toString(), "--output-format", "parquet").code);
    assertEquals(DataTypes.LongType, timeType(out, "parquet"));
    assertEquals(List.of(1700000000000000001L, 1700000000000000002L, 5L), times(out, "parquet"), "epoch nanoseconds exactly");

    Path decimals = csv("dec.csv", "id,t,x,y\na,0.1,1,2\na,0.25,2,3\na,3,1,1\n");
    Path outD = dir.resolve("dec-out");
    assertEquals(0, run("smooth", "--input", decimals.toString(), "--model", MODEL, "--output", outD.toString(), "--output-format", "orc").code);
    assertEquals(DataTypes.DoubleType, timeType(outD, "orc"));
    assertEquals(List.of(0.1, 0.25, 3.0), times(outD, "orc"));

    Path iso = csv("iso.csv", "id,t,x,y\na,2024-01-01T00:00:00Z,1,2\na,2024-01-01T00:00:01Z,2,3\n");
    Path outI = dir.resolve("iso-out");
    assertEquals(0, run("smooth", "--input", iso.toString(), "--model", MODEL, "--output", outI.toString(), "--output-format", "parquet").code);
    assertEquals(DataTypes.StringType, timeType(outI, "parquet"), "ISO text stays text as read");
  }

  @Test
  void plotFindsTheFormatOfASmoothOutputAndRefusesInOneLine() throws Exception {
    Path input = csv("in.csv", tracks(2, 6));
    Path out = dir.resolve("smoothed");
    assertEquals(0, run("smooth", "--input", input.toString(), "--model", MODEL, "--output", out.toString(), "--output-format", "parquet").code);
    Path png = dir.resolve("t.png");
    Result plot = run("plot", "--smoothed", out.toString(), "--id", "trk-1", "--model", MODEL, "--output", png.toString());
    assertEquals(0, plot.code, "no --format for a parquet output: " + plot.err);
    assertEquals(320 + 320 + 500, javax.imageio.ImageIO.read(png.toFile()).getHeight());
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--model", MODEL, "--output", png.toString()),
        "holds several trajectories (trk-0, trk-1): name one");
    Result withoutModel = run("plot", "--smoothed", out.toString(), "--id", "trk-1", "--output", png.toString());
    assertEquals(0, withoutModel.code, "the output's own model.json stands in for --model: " + withoutModel.err);
    assertOneLineRefusal(run("plot", "--smoothed", dir.resolve("nothing").toString(), "--id", "a", "--model", MODEL, "--output",
        png.toString()), "--smoothed: no such file or directory");
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--id", "trk-1", "--model", MODEL, "--format", "csv",
        "--output", png.toString()), "--format csv: " + out.resolve("states") + " holds parquet files (omit --format to detect it)");
  }

  @Test
  void plotReadsAHistoryWithACsvParserAndRefusesOtherFiles() throws Exception {
    Path quoted = csv("history.csv", "\"iteration\",\"loss\",\"gradient_norm\",step,evaluations,seconds\r\n0,10,5,0,1,0.1\r\n1,\"4\",0.5,1,2,0.2\r\n");
    Path png = dir.resolve("h.png");
    Result ok = run("plot", "--history", quoted.toString(), "--output", png.toString());
    assertEquals(0, ok.code, ok.err);
    assertTrue(Files.size(png) > 0);
    Path binary = dir.resolve("binary.csv");
    Files.write(binary, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, (byte) 0xff, (byte) 0xfe, 1, 2});
    assertOneLineRefusal(run("plot", "--history", binary.toString(), "--output", png.toString()), "not a CSV text file");
    Path nul = csv("nul.csv", "iteration,loss,gradient_norm\n0\0,1,1\n");
    assertOneLineRefusal(run("plot", "--history", nul.toString(), "--output", png.toString()), "not a CSV text file (it holds NUL bytes)");
    Path other = csv("other.csv", "a,b\n1,2\n");
    assertOneLineRefusal(run("plot", "--history", other.toString(), "--output", png.toString()), "no column 'iteration'");
    Path bad = csv("bad.csv", "iteration,loss,gradient_norm\n0,1,1\n1,x,1\n");
    assertOneLineRefusal(run("plot", "--history", bad.toString(), "--output", png.toString()), "data row 2: column 'loss' is 'x', not a number");
  }

  @Test
  void versionIsTheBuiltArtifactVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    int artifact = pom.indexOf("<artifactId>statespace</artifactId>");
    int start = pom.indexOf("<version>", artifact) + "<version>".length();
    String version = pom.substring(start, pom.indexOf("</version>", start));
    assertEquals(version, VersionInfo.version(), "the project version of pom.xml, filled in by the build");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.out;
    System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.execute("--version");
    } finally {
      System.setOut(before);
    }
    assertEquals(0, code);
    assertEquals("statespace " + version, bytes.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
  }
}
