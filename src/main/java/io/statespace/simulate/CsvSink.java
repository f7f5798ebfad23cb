package io.statespace.simulate;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes trajectories as long-format CSV: one row per step, empty cells for missing observations. */
public final class CsvSink implements Closeable {
  private final BufferedWriter out;
  private final int obsDim;
  private final int inputDim;
  private final int stateDim;
  private final StringBuilder line = new StringBuilder(256);
  private long rows;

  /**
   * @param stateColumns names for true-state columns, or an empty list to leave them out
   */
  public CsvSink(Path path, String id, String time, List<String> observations, List<String> inputs,
      List<String> stateColumns) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
    this.obsDim = observations.size();
    this.inputDim = inputs.size();
    this.stateDim = stateColumns.size();
    line.append(id).append(',').append(time);
    for (String c : observations) line.append(',').append(c);
    for (String c : inputs) line.append(',').append(c);
    for (String c : stateColumns) line.append(',').append(c);
    out.write(line.append('\n').toString());
  }

  public void write(SimulatedTrajectory tr) {
    try {
      for (int k = 0; k < tr.times.length; k++) {
        line.setLength(0);
        line.append(tr.id).append(',').append(tr.times[k]);
        for (int i = 0; i < obsDim; i++) {
          line.append(',');
          double y = tr.observations[k * obsDim + i];
          if (!Double.isNaN(y)) line.append(y);
        }
        for (int i = 0; i < inputDim; i++) line.append(',').append(tr.inputs[k * inputDim + i]);
        for (int i = 0; i < stateDim; i++) line.append(',').append(tr.states[k * stateDim + i]);
        line.append('\n');
        out.write(line.toString());
        rows++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
