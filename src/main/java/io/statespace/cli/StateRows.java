package io.statespace.cli;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/**
 * Reads the cells of a smooth output's state rows for {@code plot}, in either layout: arrays (Parquet, ORC,
 * JSON) or one column per element (CSV, {@code name_i} and {@code name_i_j}). Absent values (a null cell, a
 * null array element) become NaN; columns are looked up by name, ignoring case as Spark does.
 */
final class StateRows {
  private final Set<String> columns = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final boolean flat;

  StateRows(String[] columns, boolean flat) {
    this.columns.addAll(List.of(columns));
    this.flat = flat;
  }

  boolean flat() {
    return flat;
  }

  /** Whether the output has the array column {@code name} (in CSV: its first element {@code name_0}). */
  boolean has(String name) {
    return flat ? columns.contains(name + "_0") || columns.contains(name + "_0_0") : columns.contains(name);
  }

  boolean hasColumn(String name) {
    return columns.contains(name);
  }

  /** A numeric cell, or the fallback when it is null or not a number. */
  static double number(Row r, String name, double fallback) {
    return number(r.get(r.fieldIndex(name)), fallback);
  }

  static double number(Object v, double fallback) {
    if (v instanceof Number n) return n.doubleValue();
    if (v == null) return fallback;
    try {
      return Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /**
   * A time cell as a number for the x axis: numbers as they are, timestamps and dates as seconds since the
   * epoch; anything else (e.g. ISO-8601 text) is the fallback (the row's index).
   */
  static double time(Object v, double fallback) {
    if (v instanceof Timestamp ts) return ts.getTime() / 1000.0 + (ts.getNanos() % 1_000_000) / 1e9;
    if (v instanceof Instant i) return i.getEpochSecond() + i.getNano() / 1e9;
    if (v instanceof java.sql.Date d) return d.toLocalDate().toEpochDay() * 86400.0;
    if (v instanceof LocalDate d) return d.toEpochDay() * 86400.0;
    if (v instanceof java.time.LocalDateTime d) return d.toEpochSecond(java.time.ZoneOffset.UTC) + d.getNano() / 1e9;
    return number(v, fallback);
  }

  /** A boolean cell ({@code forecast}): true, or the text "true" in CSV. */
  static boolean flag(Row r, String name) {
    Object v = r.get(r.fieldIndex(name));
    if (v instanceof Boolean b) return b;
    return v != null && v.toString().trim().toLowerCase(Locale.ROOT).equals("true");
  }

  /** The vector {@code name} of {@code length} values into {@code out} at {@code offset} (CSV: {@code name_i}); NaN where absent. */
  void array(Row r, String name, int length, double[] out, int offset) {
    read(r, name, length, 1, false, out, offset);
  }

  /** The d×d matrix {@code name} (row-major; CSV: {@code name_i_j}, also for d = 1) into {@code out} at {@code offset}. */
  void matrix(Row r, String name, int d, double[] out, int offset) {
    read(r, name, d, d, true, out, offset);
  }

  private void read(Row r, String name, int rows, int cols, boolean matrix, double[] out, int offset) {
    if (!flat) {
      int at = r.fieldIndex(name);
      List<Object> values = r.isNullAt(at) ? List.of() : r.getList(at);
      for (int k = 0; k < rows * cols; k++) out[offset + k] = k < values.size() ? number(values.get(k), Double.NaN) : Double.NaN;
      return;
    }
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        String column = matrix ? name + "_" + i + "_" + j : name + "_" + i;
        out[offset + i * cols + j] = columns.contains(column) ? number(r, column, Double.NaN) : Double.NaN;
      }
    }
  }

  /** Standard deviations of a p-vector: from {@code base_std} when present, else sqrt of {@code base_cov}'s diagonal. */
  void standardDeviations(Row r, String base, int p, double[] out, int offset) {
    if (has(base + "_std")) {
      array(r, base + "_std", p, out, offset);
      return;
    }
    double[] cov = new double[p * p];
    matrix(r, base + "_cov", p, cov, 0);
    for (int i = 0; i < p; i++) out[offset + i] = Math.sqrt(cov[i * p + i]);
  }
}
