package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.spark.FitReport;
import io.statespace.spark.FitReportFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table {@code fit} prints: one aligned row per parameter, "-" where a number does not exist, then AIC/BIC. */
class ParameterTableTest {
  @Test
  void rowsAreAlignedAndCarryEveryColumn() {
    FitReport report = FitReportFixture.report(List.of(
        new FitReport.Parameter("q", 1.0, 0.5, 0.02, "log q", 0.1),
        new FitReport.Parameter("measurement_std[0]", 1.0, 0.3, Double.NaN, "log measurement_std[0]", 0.1)));
    List<String> lines = ParameterTable.lines(report);
    assertEquals("parameter", lines.get(0).substring(0, 9));
    assertEquals(lines.get(0).length(), lines.get(1).length(), lines.toString());
    assertEquals(lines.get(0).length(), lines.get(2).length(), lines.toString());
    String[] q = lines.get(1).trim().split("\\s+");
    assertEquals(List.of("q", "0.50000000", "0.02000", "25.000", "6.11e-138", "0.462298", "0.540777"), List.of(q));
    String[] m = lines.get(2).trim().split("\\s+");
    assertEquals(List.of("measurement_std[0]", "0.30000000", "-", "-", "-", "-", "-"), List.of(m));
    assertTrue(lines.get(3).startsWith("AIC 206.000000, BIC "), lines.get(3));
    assertTrue(lines.get(4).startsWith("oim standard errors, computed in theta"), lines.get(4));
  }
}
