package io.statespace.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.statespace.execution.Engine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@code smooth} run did: the row accounting, engine, where the trajectories were smoothed (cpu,
 * gpu_batched, gpu_parallel, cpu_after_gpu_failure), which engine smoothed them (each fallback to the
 * sequential engine labelled with the engine that failed: {@link io.statespace.execution.Outcome#engineLabel})
 * and timing. Written as report.json. With a forecast, the state rows written include the forecast rows
 * ({@code rows_forecast}), so the accounting reads rows in + forecast rows = rows out + rows quarantined.
 */
public final class SmoothReport {
  public final long rowsIn;
  public final long rowsOut;
  public final long rowsQuarantined;
  /** Forecast rows among {@link #rowsOut} (appended after each trajectory's last time; 0 without a forecast). */
  public final long rowsForecast;
  public final long trajectories;
  public final Map<String, Long> quarantineByReason;
  public final String engine;
  public final Map<String, Long> trajectoriesByBackend;
  public final Map<String, Long> trajectoriesByEngine;
  public final double seconds;
  public final String output;
  /** Data files read from the input. */
  public final int inputFiles;
  /** Where the output came from (report.json's provenance and stale_staging); null when not recorded. */
  public final Provenance provenance;

  public SmoothReport(long rowsIn, long rowsOut, long rowsQuarantined, long trajectories,
      Map<String, Long> quarantineByReason, String engine, Map<String, Long> trajectoriesByBackend,
      Map<String, Long> trajectoriesByEngine, double seconds, String output, int inputFiles) {
    this(rowsIn, rowsOut, rowsQuarantined, 0, trajectories, quarantineByReason, engine, trajectoriesByBackend,
        trajectoriesByEngine, seconds, output, inputFiles, null);
  }

  /** A report whose {@code rowsOut} include {@code rowsForecast} forecast rows. */
  public SmoothReport(long rowsIn, long rowsOut, long rowsQuarantined, long rowsForecast, long trajectories,
      Map<String, Long> quarantineByReason, String engine, Map<String, Long> trajectoriesByBackend,
      Map<String, Long> trajectoriesByEngine, double seconds, String output, int inputFiles) {
    this(rowsIn, rowsOut, rowsQuarantined, rowsForecast, trajectories, quarantineByReason, engine, trajectoriesByBackend,
        trajectoriesByEngine, seconds, output, inputFiles, null);
  }

  private SmoothReport(long rowsIn, long rowsOut, long rowsQuarantined, long rowsForecast, long trajectories,
      Map<String, Long> quarantineByReason, String engine, Map<String, Long> trajectoriesByBackend,
      Map<String, Long> trajectoriesByEngine, double seconds, String output, int inputFiles, Provenance provenance) {
    this.rowsIn = rowsIn;
    this.rowsOut = rowsOut;
    this.rowsQuarantined = rowsQuarantined;
    this.rowsForecast = rowsForecast;
    this.trajectories = trajectories;
    this.quarantineByReason = new TreeMap<>(quarantineByReason);
    this.engine = engine;
    this.trajectoriesByBackend = new TreeMap<>(trajectoriesByBackend);
    this.trajectoriesByEngine = new TreeMap<>(trajectoriesByEngine);
    this.seconds = seconds;
    this.output = output;
    this.inputFiles = inputFiles;
    this.provenance = provenance;
  }

  /** This report with its provenance. */
  public SmoothReport with(Provenance p) {
    return new SmoothReport(rowsIn, rowsOut, rowsQuarantined, rowsForecast, trajectories, quarantineByReason, engine,
        trajectoriesByBackend, trajectoriesByEngine, seconds, output, inputFiles, p);
  }

  /** rows in + forecast rows = rows out + rows quarantined. */
  public boolean balanced() {
    return rowsIn + rowsForecast == rowsOut + rowsQuarantined;
  }

  /** One line for the console: rows in (+ forecast rows) = out + quarantined. */
  public String accountingLine() {
    return "rows in: " + rowsIn + (rowsForecast == 0 ? "" : " + forecast rows: " + rowsForecast) + " = rows out: " + rowsOut
        + " + rows quarantined: " + rowsQuarantined
        + (quarantineByReason.isEmpty() ? "" : " " + quarantineByReason) + (balanced() ? " (balanced)" : " (NOT BALANCED)")
        + "; trajectories: " + trajectories + (onlyCpu() ? "" : " " + trajectoriesByBackend)
        + (fallbacks() ? " by engine " + trajectoriesByEngine : "");
  }

  private boolean onlyCpu() {
    return trajectoriesByBackend.keySet().stream().allMatch(Engine.CPU_BACKEND::equals);
  }

  /** True when the sequential engine took over any trajectory after another engine failed on it. */
  private boolean fallbacks() {
    return trajectoriesByEngine.keySet().stream().anyMatch(label -> label.startsWith("sequential_after_"));
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("input_files", inputFiles);
    m.put("rows_in", rowsIn);
    m.put("rows_out", rowsOut);
    m.put("rows_quarantined", rowsQuarantined);
    m.put("rows_forecast", rowsForecast);
    m.put("quarantine_by_reason", quarantineByReason);
    m.put("trajectories", trajectories);
    m.put("engine", engine);
    m.put("trajectories_by_backend", trajectoriesByBackend);
    m.put("trajectories_by_engine", trajectoriesByEngine);
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
