package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input front door through the command line (issue 10): the wrong --format ends in one line naming the
 * file and exit 2; a colon in the input's name and a JSON line that repeats a key end in exit 0, the
 * repeated key as a quarantine row. Outputs are read back as CSV text, not from the job's own accounting.
 */
class InputFrontDoorCliTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new Result(code, err.toString());
  }

  /** Records of every part-*.csv under a folder, header lines excluded. */
  private static List<String[]> records(Path folder) throws IOException {
    CsvParserSettings settings = new CsvParserSettings();
    settings.getFormat().setLineSeparator("\n");
    settings.setHeaderExtractionEnabled(true);
    settings.setMaxCharsPerColumn(-1);
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".csv")).toList()) {
        out.addAll(new CsvParser(settings).parseAll(p.toFile()));
      }
    }
    return out;
  }

  @Test
  void parquetFormatOnACsvFileExitsTwoWithOneLineNamingTheFile() throws Exception {
    Path csv = dir.resolve("tracks.csv");
    Files.writeString(csv, "id,t,x,y\na,0,1,2\na,1,1.5,2.5\n");
    Result r = run("smooth", "--input", csv.toString(), "--format", "parquet", "--model", "conf/tracking.json",
        "--output", dir.resolve("o").toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("error: input file ") && r.err().contains("tracks.csv")
        && r.err().contains("not a readable parquet file"), r.err());
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void aColonInTheNameAndARepeatedJsonKeyRunToTheEnd() throws Exception {
    Path json = dir.resolve("day:2024-01-01.jsonl");
    String repeated = "{\"id\":\"a\",\"t\":1,\"x\":1.5,\"x\":9,\"y\":2.5}";
    Files.writeString(json, "{\"id\":\"a\",\"t\":0,\"x\":1,\"y\":2}\n" + repeated + "\n{\"id\":\"a\",\"t\":2,\"x\":2,\"y\":3}\n");
    Path out = dir.resolve("out");
    Result r = run("smooth", "--input", json.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--output-format", "csv");
    assertEquals(0, r.code(), r.err());
    List<String[]> states = records(out.resolve("states"));
    List<String[]> quarantine = records(out.resolve("quarantine"));
    assertEquals(3, states.size() + quarantine.size(), "rows in = states + quarantine, counted in the files");
    assertEquals(1, quarantine.size());
    String row = String.join("|", quarantine.get(0));
    assertTrue(row.contains("corrupt_record") && row.contains("repeated key \"x\"") && row.contains(repeated), row);
    List<String> times = new ArrayList<>();
    for (String[] s : states) times.add(s[1]);
    assertEquals(List.of("0", "2"), times.stream().sorted().toList());
    assertTrue(Files.readString(out.resolve("report.json")).contains("\"input_files\" : 1"));
  }
}
