package io.statespace.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Writes a line chart as a PNG (implemented with XChart in {@code src/bench/java}, loaded by name). */
public interface ChartWriter {
  /**
   * @param series label → y values, one per x
   * @param logX log-scaled x axis
   * @param logY log-scaled y axis
   */
  void writeLines(Path png, String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series,
      boolean logX, boolean logY) throws IOException;
}
