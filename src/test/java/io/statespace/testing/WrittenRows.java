package io.statespace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Row counts read back from what a job WROTE, for the accounting check rows in = rows out + rows
 * quarantined, so that a test never trusts the job's own report: data lines of a CSV input, and rows of
 * an output folder (csv: the lines of its part files less one header each, one record per line because
 * the job's values hold no line breaks; parquet and json: read back with Spark).
 */
public final class WrittenRows {
  private WrittenRows() {}

  /** The non-blank lines of a CSV file after its header (0 for an empty file). */
  public static long csvDataLines(Path csv) {
    try (Stream<String> lines = Files.lines(csv)) {
      long nonBlank = lines.filter(l -> !l.isBlank()).count();
      return Math.max(0, nonBlank - 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data lines of a CSV output folder's part files (each without its header), sorted. */
  public static List<String> csvPartRows(Path folder) {
    List<String> all = new ArrayList<>();
    try (Stream<Path> parts = Files.list(folder)) {
      for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-")).collect(Collectors.toList())) {
        List<String> lines = Files.readAllLines(part);
        if (!lines.isEmpty()) all.addAll(lines.subList(1, lines.size()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Collections.sort(all);
    return all;
  }

  /**
   * The CSV rows of two output folders, sorted, are the same rows field by field: text equal, numbers within
   * {@code rel} relative with an absolute {@code floor}; no row appears twice (states and summaries are unique by
   * (id, time) and by id).
   */
  public static void assertSameCsvRows(Path a, Path b, double rel, double floor) {
    List<String> ra = csvPartRows(a);
    List<String> rb = csvPartRows(b);
    assertEquals(ra.size(), rb.size(), "row counts differ between " + a + " and " + b);
    assertEquals(ra.stream().distinct().count(), ra.size(), "duplicate rows in " + a);
    for (int i = 0; i < ra.size(); i++) {
      if (ra.get(i).equals(rb.get(i))) continue;
      String[] fa = ra.get(i).split(",", -1);
      String[] fb = rb.get(i).split(",", -1);
      assertEquals(fa.length, fb.length, ra.get(i) + " vs " + rb.get(i));
      for (int j = 0; j < fa.length; j++) {
        if (fa[j].equals(fb[j])) continue;
        double x = Double.parseDouble(fa[j]);
        double y = Double.parseDouble(fb[j]);
        assertTrue(Math.abs(x - y) <= Math.max(floor, rel * Math.max(Math.abs(x), Math.abs(y))), ra.get(i) + " vs " + rb.get(i));
      }
    }
  }

  /** The rows of an output folder in the given format; 0 when the folder was not written. */
  public static long count(SparkSession spark, Path folder, String format) {
    if (!Files.isDirectory(folder)) return 0;
    switch (format) {
      case "csv":
        return csvPartLines(folder);
      case "parquet":
        return spark.read().parquet(folder.toString()).count();
      case "json":
        return spark.read().json(folder.toString()).count();
      default:
        throw new IllegalArgumentException("unknown output format '" + format + "'");
    }
  }

  private static long csvPartLines(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      List<Path> parts = files.filter(f -> f.getFileName().toString().startsWith("part-")).collect(Collectors.toList());
      long rows = 0;
      for (Path part : parts) rows += csvDataLines(part);
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
