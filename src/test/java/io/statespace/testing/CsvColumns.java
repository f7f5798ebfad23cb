package io.statespace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Values read back from CSV files as a job wrote or read them (no quoting: ids and numbers only), matched
 * by column name: a simulated input's rows by id, and one column of every part file of an output folder
 * keyed by id and time, refusing a row written twice.
 */
public final class CsvColumns {
  private CsvColumns() {}

  /** The CSV's rows by id, in file order: [time, y] with NaN for an empty cell. */
  public static Map<String, List<double[]>> rowsById(Path csv, String timeColumn, String valueColumn) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String> header = Arrays.asList(lines.get(0).split(",", -1));
    int id = header.indexOf("id");
    int time = header.indexOf(timeColumn);
    int value = header.indexOf(valueColumn);
    assertTrue(id >= 0 && time >= 0 && value >= 0, csv + ": " + header);
    Map<String, List<double[]>> out = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      double y = cells[value].isEmpty() ? Double.NaN : Double.parseDouble(cells[value]);
      out.computeIfAbsent(cells[id], k -> new ArrayList<>()).add(new double[] {Double.parseDouble(cells[time]), y});
    }
    return out;
  }

  /** Every written part file's rows of one column, keyed by "id@time" (columns id and t). */
  public static Map<String, Double> written(Path folder, String column) throws IOException {
    Map<String, Double> out = new HashMap<>();
    List<Path> parts;
    try (Stream<Path> files = Files.list(folder)) {
      parts = files.filter(p -> p.getFileName().toString().startsWith("part-") && p.toString().endsWith(".csv")).toList();
    }
    assertFalse(parts.isEmpty(), "no part files in " + folder);
    for (Path part : parts) {
      List<String> lines = Files.readAllLines(part);
      if (lines.isEmpty()) continue;
      List<String> header = Arrays.asList(lines.get(0).split(",", -1));
      int id = header.indexOf("id");
      int time = header.indexOf("t");
      int value = header.indexOf(column);
      assertTrue(id >= 0 && time >= 0 && value >= 0, part + ": " + header);
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",", -1);
        Double previous = out.put(cells[id] + "@" + Double.parseDouble(cells[time]), Double.parseDouble(cells[value]));
        assertEquals(null, previous, "row written twice: " + line);
      }
    }
    return out;
  }
}
