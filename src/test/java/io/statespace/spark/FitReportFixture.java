package io.statespace.spark;

import java.util.List;
import java.util.Map;

/** A likelihood fit's report with given parameters (final NLL 100, 3 free coordinates, 1800 observed components), for tests outside this package. */
public final class FitReportFixture {
  private FitReportFixture() {}

  public static FitReport report(List<FitReport.Parameter> parameters) {
    return new FitReport("nll", "lbfgs", 120.0, 100.0, 1e-7, 12, "gradient_tolerance", null, 30, 2.0, 1.0, 0.5, 2, parameters,
        "from the observed information", 1000, 1000, 0, Map.of(), 10, false, "out", null, Map.of(), 1,
        new FitReport.LeftOut(0, List.of())).withAssessment(new FitReport.Assessment(1800, 3, "oim", Double.NaN));
  }
}
