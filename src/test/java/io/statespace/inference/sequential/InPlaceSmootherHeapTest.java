package io.statespace.inference.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.model.spec.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lean path smooths a long trajectory in a heap whose free space is split into runs smaller than one T×n×n
 * array, as a Spark task's heap is after the sort (docs/BENCHMARKS.md, "Memory of one trajectory of 10^7 steps"):
 * a forked JVM ({@link FragmentedHeapRun}) with a 256 MiB G1 heap of 1 MiB regions, filled with one-region arrays
 * of which every 16th is kept, so that no free run exceeds about 31 regions, smooths 2^19 steps of the tracking
 * model (flat covariances: 64 MiB; chunks: 8 MiB) and gets what this JVM gets. G1 of Java 17 never moves
 * humongous objects, which is what makes the probe of one flat array fail there.
 */
class InPlaceSmootherHeapTest {
  private static final int STEPS = 1 << 19;

  @TempDir Path dir;

  @Test
  void smoothsInAFragmentedHeapWhereOneFlatCovarianceArrayDoesNotFit() throws IOException, InterruptedException {
    Path model = Path.of("conf/tracking.json");
    String expected = FragmentedHeapRun.summary(new InPlaceSmoother().smooth(ModelSpec.read(model).model(),
        FragmentedHeapRun.trajectory(STEPS)));
    Path log = dir.resolve("run.log");
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms256m", "-Xmx256m", "-XX:+UseG1GC", "-XX:G1HeapRegionSize=1m", "-cp", classpath(),
        FragmentedHeapRun.class.getName(), model.toString(), Integer.toString(STEPS)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the forked JVM did not finish in 120 s: " + Files.readString(log, StandardCharsets.UTF_8));
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("one array of T x n x n refused: true"), "the heap must refuse one flat array: " + out);
    assertTrue(out.contains(expected), "the forked run's result must equal this JVM's (" + expected + "): " + out);
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }
}
