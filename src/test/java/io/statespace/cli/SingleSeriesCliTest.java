package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One series without an id column: statsmodels' Nile example (annual flow of the Nile at Aswan, 1871-1970,
 * a CSV {@code year,flow}) smooths and fits as it is with a local-level model file that has no
 * {@code columns.id}; the outputs name the one trajectory {@code series}. The smoothed levels are checked
 * against a scalar Kalman filter and RTS smoother written out here, the fitted variances against the
 * maximum-likelihood values Durbin and Koopman report for this series (σ²_ε = 15099, σ²_η = 1469.1).
 */
class SingleSeriesCliTest {
  private static final Path NILE = Path.of("src/test/resources/io/statespace/data/nile.csv");
  private static final double LEVEL_STD = Math.sqrt(1469.1);
  private static final double MEASUREMENT_STD = Math.sqrt(15099.0);
  private static final double PRIOR_MEAN = 1000.0;
  private static final double PRIOR_VAR = 1e7;

  @TempDir Path dir;

  private static String[] run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  /** A local-level model file for the Nile CSV; {@code idKey} is the whole "id" entry or empty for none. */
  private Path model(String name, String idKey) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "{\"family\": \"local-level\", \"level_std\": " + LEVEL_STD + ", \"measurement_std\": "
        + MEASUREMENT_STD + ", \"initial\": {\"mean\": [" + PRIOR_MEAN + "], \"cov\": [[" + PRIOR_VAR + "]]},"
        + " \"columns\": {" + idKey + "\"time\": \"year\", \"observations\": [\"flow\"]},"
        + " \"fit\": {\"free\": [\"level_std\", \"measurement_std\"]}}");
    return file;
  }

  /** Every row of the CSV part files of an output folder, as column name to cell text. */
  static List<Map<String, String>> rows(Path folder) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path part : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        List<String> lines = Files.readAllLines(part);
        if (lines.isEmpty()) continue;
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        for (String line : lines.subList(1, lines.size())) {
          String[] cells = line.split(",", -1);
          Map<String, String> row = new HashMap<>();
          for (int i = 0; i < header.size(); i++) row.put(header.get(i), cells[i]);
          out.add(row);
        }
      }
    }
    return out;
  }

  /** The Nile flows by year, from the resource. */
  private static TreeMap<Integer, Double> nile() throws IOException {
    TreeMap<Integer, Double> flows = new TreeMap<>();
    for (String line : Files.readAllLines(NILE).subList(1, 101)) {
      String[] c = line.split(",");
      flows.put(Integer.parseInt(c[0]), Double.parseDouble(c[1]));
    }
    return flows;
  }

  /** Smoothed levels of the local-level model by the textbook scalar filter and RTS smoother. */
  private static double[] smoothedLevels(double[] y, double levelVar, double measurementVar) {
    int n = y.length;
    double[] mf = new double[n];
    double[] pf = new double[n];
    double m = PRIOR_MEAN;
    double p = PRIOR_VAR;
    for (int t = 0; t < n; t++) {
      if (t > 0) p += levelVar;
      double k = p / (p + measurementVar);
      m += k * (y[t] - m);
      p *= 1 - k;
      mf[t] = m;
      pf[t] = p;
    }
    double[] ms = mf.clone();
    for (int t = n - 2; t >= 0; t--) {
      double g = pf[t] / (pf[t] + levelVar);
      ms[t] = mf[t] + g * (ms[t + 1] - mf[t]);
    }
    return ms;
  }

  private void assertSmoothedNile(Path out) throws IOException {
    List<Map<String, String>> states = rows(out.resolve("states"));
    TreeMap<Integer, Double> flows = nile();
    assertEquals(100, states.size(), "rows in = rows out, counted in the written files");
    double[] expected = smoothedLevels(flows.values().stream().mapToDouble(Double::doubleValue).toArray(),
        LEVEL_STD * LEVEL_STD, MEASUREMENT_STD * MEASUREMENT_STD);
    Map<Integer, Double> written = new HashMap<>();
    for (Map<String, String> r : states) {
      assertEquals("series", r.get("id"), "the one trajectory is named 'series': " + r);
      int year = Integer.parseInt(r.get("year"));
      assertEquals(flows.get(year), Double.parseDouble(r.get("flow")), 0.0, "flow of " + year);
      assertTrue(written.put(year, Double.parseDouble(r.get("smoothed_mean_0"))) == null, "year written twice: " + year);
    }
    assertEquals(flows.keySet(), new java.util.TreeSet<>(written.keySet()), "every year back exactly");
    int t = 0;
    for (int year : flows.keySet()) {
      assertEquals(expected[t], written.get(year), 1e-9 * Math.abs(expected[t]), "smoothed level of " + year);
      t++;
    }
    List<Map<String, String>> summary = rows(out.resolve("summary"));
    assertEquals(1, summary.size(), "one trajectory: " + summary);
    assertEquals("series", summary.get(0).get("id"));
    assertEquals("100", summary.get(0).get("steps"));
    assertEquals(List.of(), rows(out.resolve("quarantine")));
  }

  @Test
  void nileSmoothsAsItIsWithoutColumnsId() throws Exception {
    Path out = dir.resolve("nile-smoothed");
    String[] r = run("smooth", "--input", NILE.toString(), "--model", model("nile.json", "").toString(), "--output", out.toString());
    assertEquals("0", r[0], r[1]);
    assertSmoothedNile(out);
  }

  @Test
  void anEmptyIdColumnOptionMakesOneSeriesEvenWhenTheModelNamesOne() throws Exception {
    Path out = dir.resolve("nile-option");
    Path named = model("named.json", "\"id\": \"station\", ");
    String[] refused = run("smooth", "--input", NILE.toString(), "--model", named.toString(), "--output", out.toString());
    assertEquals("2", refused[0], refused[1]);
    assertTrue(refused[1].contains("no column 'station'"), refused[1]);
    String[] r = run("smooth", "--input", NILE.toString(), "--model", named.toString(), "--id-column", "",
        "--output", out.toString());
    assertEquals("0", r[0], r[1]);
    assertSmoothedNile(out);
  }

  @Test
  void withoutColumnsIdAnInputWithAnIdColumnIsStillGroupedByIt() throws Exception {
    Path input = dir.resolve("two.csv");
    Files.writeString(input, "id,year,flow\na,1,10\nb,1,20\na,2,11\nb,2,21\n");
    Path out = dir.resolve("two-out");
    String[] r = run("smooth", "--input", input.toString(), "--model", model("m.json", "").toString(), "--output", out.toString());
    assertEquals("0", r[0], r[1]);
    List<Map<String, String>> summary = rows(out.resolve("summary"));
    assertEquals(List.of("a", "b"), summary.stream().map(s -> s.get("id")).sorted().toList());
    assertTrue(summary.stream().allMatch(s -> s.get("steps").equals("2")), summary.toString());
  }

  @Test
  void aBadRowOfASingleSeriesIsQuarantinedAsReadWithoutTheAddedId() throws Exception {
    Path input = dir.resolve("bad.csv");
    Files.writeString(input, "year,flow\n1871,1120\n1872,abc\n1873,963\n");
    Path out = dir.resolve("bad-out");
    String[] r = run("smooth", "--input", input.toString(), "--model", model("m.json", "").toString(), "--output", out.toString());
    assertEquals("0", r[0], r[1]);
    assertEquals(2, rows(out.resolve("states")).size());
    List<String> quarantine = new ArrayList<>();
    try (Stream<Path> parts = Files.list(out.resolve("quarantine"))) {
      for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        Files.readAllLines(part).stream().filter(l -> !l.startsWith("id,year,")).forEach(quarantine::add);
      }
    }
    assertEquals(1, quarantine.size(), "one quarantined row: " + quarantine);
    assertTrue(quarantine.get(0).startsWith("series,1872,bad_value,"), quarantine.get(0));
    assertTrue(quarantine.get(0).endsWith("\"year=1872, flow=abc\""), "the row as read, no id of ours: " + quarantine.get(0));
  }

  @Test
  void nileFitsToTheMaximumLikelihoodVariancesAndItsModelSmoothsTheSameFile() throws Exception {
    Path start = dir.resolve("start.json");
    Files.writeString(start, Files.readString(model("m.json", "")).replace("\"level_std\": " + LEVEL_STD, "\"level_std\": 20.0")
        .replace("\"measurement_std\": " + MEASUREMENT_STD, "\"measurement_std\": 80.0"));
    Path out = dir.resolve("nile-fit");
    String[] r = run("fit", "--input", NILE.toString(), "--model", start.toString(), "--output", out.toString(),
        "--no-standard-errors");
    assertEquals("0", r[0], r[1]);
    JsonNode fitted = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertEquals("", fitted.path("columns").path("id").asText("missing"), "a single series is written as such: " + fitted);
    double level = fitted.path("level_std").asDouble();
    double measurement = fitted.path("measurement_std").asDouble();
    assertEquals(1469.1, level * level, 0.03 * 1469.1, "σ²_η");
    assertEquals(15099.0, measurement * measurement, 0.03 * 15099.0, "σ²_ε");
    Path smoothed = dir.resolve("nile-refit-smoothed");
    String[] s = run("smooth", "--input", NILE.toString(), "--model", out.resolve("model.json").toString(), "--output", smoothed.toString());
    assertEquals("0", s[0], s[1]);
    assertEquals(100, rows(smoothed.resolve("states")).size());
    assertFalse(rows(smoothed.resolve("states")).stream().anyMatch(row -> !row.get("id").equals("series")));
  }
}
