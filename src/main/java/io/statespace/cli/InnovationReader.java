package io.statespace.cli;

import static org.apache.spark.sql.functions.col;

import io.statespace.plot.InnovationSeries;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The standardised innovations of one observed component from a smooth output's states/ (the column
 * {@code standardized_innovation}, an array, or {@code standardized_innovation_<i>} in CSV, written by
 * {@code smooth --outputs predicted}), per trajectory in time order with NaN where the component is missing:
 * of one trajectory, or of all of them (pooled). A pooled read brings every row's value to the driver, so it
 * is refused above {@link #MAX_POOLED_ROWS} rows.
 */
final class InnovationReader {
  static final String COLUMN = "standardized_innovation";
  /** Rows a pooled read may bring to the driver (8 bytes of value and 8 of time each). */
  static final long MAX_POOLED_ROWS = 5_000_000L;

  private InnovationReader() {}

  /**
   * @param id the trajectory, or null for all of them
   * @param component index of the observed component (checked by the caller against the model)
   */
  static InnovationSeries read(Dataset<Row> states, StateRows rows, String idColumn, String timeColumn, String id,
      int component, String componentName, String where) {
    if (!rows.has(COLUMN)) {
      throw new ConfigException("plot --diagnostics: " + where + " has no column '" + COLUMN + (rows.flat() ? "_0" : "")
          + "' (the standardized innovations): run smooth with --outputs predicted");
    }
    String column = rows.flat() ? COLUMN + "_" + component : COLUMN;
    if (rows.flat() && !rows.hasColumn(column)) {
      throw new ConfigException("plot --diagnostics: " + where + " has no column '" + column + "' for component "
          + component + " (" + componentName + ")");
    }
    Dataset<Row> chosen = id == null ? states : states.filter(col(idColumn).cast("string").equalTo(id));
    if (id == null) {
      long count = states.count();
      if (count > MAX_POOLED_ROWS) {
        throw new ConfigException("plot --diagnostics: " + where + " holds " + count + " rows, more than the "
            + MAX_POOLED_ROWS + " a pooled plot reads onto the driver: give --id");
      }
    }
    Dataset<Row> ordered = chosen.select(col(idColumn).cast("string").as("id"), col(timeColumn).as("t"), col(column).as("v"))
        .orderBy(col("id"), col("t").try_cast("double"), col("t"));
    List<double[]> times = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Double> t = new ArrayList<>();
    List<Double> v = new ArrayList<>();
    String current = null;
    boolean first = true;
    Iterator<Row> it = ordered.toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      String rowId = r.isNullAt(0) ? null : r.getString(0);
      if (first || !java.util.Objects.equals(rowId, current)) {
        if (!first) close(times, values, t, v);
        ids.add(rowId);
        current = rowId;
        first = false;
      }
      t.add(StateRows.time(r.get(1), t.size()));
      v.add(value(r.get(2), component, rows.flat()));
    }
    if (first) {
      throw new ConfigException(id == null ? "--smoothed: no rows in " + where : "--id: no trajectory '" + id + "' in " + where);
    }
    close(times, values, t, v);
    String label = ids.size() == 1 ? String.valueOf(ids.get(0)) : "pooled over " + ids.size() + " trajectories";
    return new InnovationSeries(label, componentName, times, values);
  }

  private static double value(Object cell, int component, boolean flat) {
    if (flat || cell == null) return StateRows.number(cell, Double.NaN);
    if (cell instanceof scala.collection.Seq<?> seq) {
      return component < seq.size() ? StateRows.number(seq.apply(component), Double.NaN) : Double.NaN;
    }
    if (cell instanceof List<?> list) return component < list.size() ? StateRows.number(list.get(component), Double.NaN) : Double.NaN;
    throw new ConfigException("plot --diagnostics: column '" + COLUMN + "' is not an array of numbers (found " + cell.getClass().getSimpleName() + ")");
  }

  private static void close(List<double[]> times, List<double[]> values, List<Double> t, List<Double> v) {
    times.add(t.stream().mapToDouble(Double::doubleValue).toArray());
    values.add(v.stream().mapToDouble(Double::doubleValue).toArray());
    t.clear();
    v.clear();
  }
}
