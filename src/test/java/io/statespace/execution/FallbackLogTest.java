package io.statespace.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One WARN line per fallback with the trajectory and the reason, up to the limit; then a count. */
class FallbackLogTest {
  @Test
  void eachFallbackIsOneLineUntilTheLimitThenTheRestAreCounted() {
    List<String> lines = new ArrayList<>();
    FallbackLog log = new FallbackLog(lines::add);
    int total = FallbackLog.LOGGED + 5;
    for (int k = 0; k < total; k++) log.record("tr-" + k, Engine.BATCHED, "step 3: S not positive definite " + k);
    log.close();
    assertEquals(FallbackLog.LOGGED + 2, lines.size(), String.join("\n", lines));
    for (int k = 0; k < FallbackLog.LOGGED; k++) {
      String line = lines.get(k);
      assertTrue(line.contains("'tr-" + k + "'") && line.contains("the batched engine failed")
          && line.contains("S not positive definite " + k), line);
    }
    assertTrue(lines.get(FallbackLog.LOGGED).startsWith("more than " + FallbackLog.LOGGED), lines.get(FallbackLog.LOGGED));
    assertEquals(total + " fallbacks to the sequential engine in this task (5 not logged one by one)",
        lines.get(FallbackLog.LOGGED + 1));
    assertEquals(total, log.count());
  }

  @Test
  void aTaskWithFewFallbacksLogsNoSummary() {
    List<String> lines = new ArrayList<>();
    FallbackLog log = new FallbackLog(lines::add);
    log.record("only", Engine.GPU_PARALLEL, "cancellation");
    log.close();
    assertEquals(List.of("trajectory 'only': the gpu_parallel engine failed (cancellation); smoothing it with the "
        + "sequential engine"), lines);
  }
}
