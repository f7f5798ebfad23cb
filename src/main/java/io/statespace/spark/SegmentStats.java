package io.statespace.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;

/**
 * The first pass over the range-partitioned rows of the long trajectories: for each trajectory key in a
 * partition, its kept rows (a row whose time another row of the trajectory shares is quarantined, as
 * {@link TrajectoryAssembler} does; equal (key, time) rows always share a partition under range
 * partitioning), the first and last kept rows' times and inputs, and its missing steps and values. The driver
 * turns these into {@link SegmentSpan}s.
 */
record SegmentStats(int partition, String key, int kept, TimeKey firstTime, double[] firstInputs, TimeKey lastTime,
    double[] lastInputs, long missingSteps, long missingValues) implements Serializable {

  /** The pass itself, one partition at a time; memory is two rows. */
  static final class Pass implements Function2<Integer, Iterator<Row>, Iterator<SegmentStats>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<SegmentStats> call(Integer partition, Iterator<Row> rows) {
      List<SegmentStats> out = new ArrayList<>();
      Run run = null;
      Row previous = null;
      int same = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        String key = row.getString(ParsedRows.KEY_INDEX);
        if (previous != null && key.equals(previous.getString(ParsedRows.KEY_INDEX)) && sameTime(row, previous)) {
          same++;
          previous = row;
          continue;
        }
        if (previous != null && same == 0) run.keep(previous);
        same = 0;
        if (run == null || !run.key.equals(key)) {
          if (run != null && run.kept > 0) out.add(run.stats(partition));
          run = new Run(key);
        }
        previous = row;
      }
      if (previous != null && same == 0) run.keep(previous);
      if (run != null && run.kept > 0) out.add(run.stats(partition));
      return out.iterator();
    }

    /** The assembler's test: whole seconds and fractions equal as numbers. */
    static boolean sameTime(Row a, Row b) {
      Row ta = a.getStruct(ParsedRows.TIME_INDEX);
      Row tb = b.getStruct(ParsedRows.TIME_INDEX);
      return ta.getLong(0) == tb.getLong(0) && ta.getDouble(1) == tb.getDouble(1);
    }

    static TimeKey time(Row row) {
      Row t = row.getStruct(ParsedRows.TIME_INDEX);
      return new TimeKey(t.getLong(0), t.getDouble(1));
    }

    static double[] inputs(Row row) {
      List<Double> u = row.getList(ParsedRows.INPUTS_INDEX);
      double[] out = new double[u.size()];
      for (int i = 0; i < out.length; i++) out[i] = u.get(i);
      return out;
    }
  }

  /** One key's kept rows in one partition, counted as they stream past. */
  private static final class Run {
    final String key;
    int kept;
    Row first;
    Row last;
    long missingSteps;
    long missingValues;

    Run(String key) {
      this.key = key;
    }

    void keep(Row row) {
      if (kept == 0) first = row;
      last = row;
      kept++;
      List<Double> y = row.getList(ParsedRows.OBS_INDEX);
      int missing = 0;
      for (Double v : y) if (Double.isNaN(v)) missing++;
      if (missing > 0) missingSteps++;
      missingValues += missing;
    }

    SegmentStats stats(int partition) {
      return new SegmentStats(partition, key, kept, Pass.time(first), Pass.inputs(first), Pass.time(last),
          Pass.inputs(last), missingSteps, missingValues);
    }
  }
}
