package io.statespace.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@code sample} run did, written as report.json: the row accounting (rows in = rows sampled + rows
 * quarantined, and rows out = rows sampled × draws), the draws and seed, trajectories and timing.
 *
 * @param rowsSampled input rows of the trajectories that were sampled (their steps, counted by the summary pass)
 * @param rowsOut sample rows written (counted as the writer consumed them)
 */
public record SampleReport(long rowsIn, long rowsSampled, long rowsOut, long rowsQuarantined,
    Map<String, Long> quarantineByReason, long trajectories, int draws, long seed, double seconds, String output,
    int inputFiles, Provenance provenance) {
  public SampleReport {
    quarantineByReason = java.util.Collections.unmodifiableMap(new TreeMap<>(quarantineByReason));
  }

  /** This report with its provenance. */
  SampleReport with(Provenance p) {
    return new SampleReport(rowsIn, rowsSampled, rowsOut, rowsQuarantined, quarantineByReason, trajectories, draws, seed,
        seconds, output, inputFiles, p);
  }

  /** rows in = rows sampled + rows quarantined, and rows out = rows sampled × draws. */
  public boolean balanced() {
    return rowsIn == rowsSampled + rowsQuarantined && rowsOut == rowsSampled * draws;
  }

  /** One line for the console. */
  public String accountingLine() {
    return "rows in: " + rowsIn + " = rows sampled: " + rowsSampled + " + rows quarantined: " + rowsQuarantined
        + (quarantineByReason.isEmpty() ? "" : " " + quarantineByReason) + "; rows out: " + rowsOut + " = " + rowsSampled
        + " x " + draws + " draws" + (balanced() ? " (balanced)" : " (NOT BALANCED)") + "; trajectories: " + trajectories
        + "; seed: " + seed;
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("input_files", inputFiles);
    m.put("rows_in", rowsIn);
    m.put("rows_sampled", rowsSampled);
    m.put("rows_out", rowsOut);
    m.put("rows_quarantined", rowsQuarantined);
    m.put("quarantine_by_reason", quarantineByReason);
    m.put("trajectories", trajectories);
    m.put("draws", draws);
    m.put("seed", seed);
    m.put("method", "forward filtering (sequential Kalman filter), backward sampling");
    m.put("seconds", seconds);
    m.put("output", output);
    if (provenance != null) {
      m.put("stale_staging", provenance.sweepMap());
      m.put("provenance", provenance.toMap());
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
