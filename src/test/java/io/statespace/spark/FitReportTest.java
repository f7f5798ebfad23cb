package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reading aids of report.json without Spark: z, p-values (scipy's 2·norm.sf, computed with scipy 1.x:
 * 2·norm.sf(1.5) = 0.13361440253771614, 2·norm.sf(4) = 6.334248366623973e-05), 95% intervals (log-scale for
 * positive parameters, Wald otherwise), the boundary rule, warnings and AIC/BIC.
 */
class FitReportTest {
  private static FitReport report(String loss, String stopReason, List<FitReport.Parameter> parameters, String note) {
    return new FitReport(loss, "lbfgs", 120.0, 100.0, 1e-7, 12, stopReason, null, 30, 2.0, 1.0, 0.5, 2, parameters, note,
        1000, 1000, 0, Map.of(), 10, false, "out", null, Map.of(), 1, new FitReport.LeftOut(0, List.of()))
        .withAssessment(new FitReport.Assessment(1800, 3, "oim", Double.NaN));
  }

  @Test
  void zPValueAndIntervalsOnTheUsersScale() {
    FitReport.Parameter positive = new FitReport.Parameter("q", 1.0, 0.5, 0.02, "log q", 0.1);
    assertTrue(positive.logScale());
    assertEquals(25.0, positive.z(), 1e-12);
    assertEquals(0.4622979233745193, positive.lower(), 1e-15);
    assertEquals(0.5407768180638541, positive.upper(), 1e-15);
    assertEquals("log", positive.intervalKind());
    FitReport.Parameter linear = new FitReport.Parameter("dynamics.weights[0][0]", 0.2, 0.3, 0.2, "dynamics.weights[0][0]", 0);
    assertFalse(linear.logScale());
    assertEquals(1.5, linear.z(), 1e-15);
    assertEquals(0.13361440253771614, linear.pValue(), 1e-15);
    assertEquals(0.3 - 1.959963984540054 * 0.2, linear.lower(), 1e-15);
    assertEquals(0.3 + 1.959963984540054 * 0.2, linear.upper(), 1e-15);
    assertEquals(6.334248366623973e-05, new FitReport.Parameter("b", 0, -0.4, 0.1, "b", 0).pValue(), 1e-18);
    FitReport.Parameter none = new FitReport.Parameter("r", 1.0, 0.5, Double.NaN, "log r", 0);
    assertTrue(Double.isNaN(none.z()) && Double.isNaN(none.pValue()) && Double.isNaN(none.lower()));
  }

  @Test
  void boundaryMeansAPositiveParameterHeadingForZero() {
    assertTrue(new FitReport.Parameter("level_std", 1.0, 9e-7, 0.1, "log level_std", 0).atBoundary());
    assertFalse(new FitReport.Parameter("level_std", 1.0, 2e-6, 0.1, "log level_std", 0).atBoundary());
    assertTrue(new FitReport.Parameter("dynamics.cov[1][1]", 2.0, 1e-7, 0.1, "dynamics.cov.log_chol[1][1]", 0).atBoundary());
    assertFalse(new FitReport.Parameter("dynamics.cov[1][0]", 2.0, 1e-7, 0.1, "dynamics.cov.chol[1][0]", 0).atBoundary(),
        "an off-diagonal entry may be 0");
    assertFalse(new FitReport.Parameter("dynamics.bias[0]", 2.0, 1e-9, 0.1, "dynamics.bias[0]", 0).atBoundary());
  }

  @Test
  void warningsCriteriaAndJsonKeys() throws Exception {
    List<FitReport.Parameter> params = List.of(new FitReport.Parameter("q", 1.0, 1e-8, Double.NaN, "log q", 0.1),
        new FitReport.Parameter("measurement_std[0]", 0.5, 0.49, Double.NaN, "log measurement_std[0]", 0.1),
        new FitReport.Parameter("measurement_std[1]", 0.5, 0.51, Double.NaN, "log measurement_std[1]", 0.1));
    FitReport r = report("nll", "iteration_limit", params, "the observed information is not positive definite");
    assertEquals(2 * 100.0 + 2 * 3, r.aic(), 1e-12);
    assertEquals(2 * 100.0 + 3 * Math.log(1800), r.bic(), 1e-12);
    List<String> w = r.warnings();
    assertEquals(3, w.size(), w.toString());
    assertTrue(w.get(0).startsWith("standard errors missing: the observed information"), w.get(0));
    assertTrue(w.get(1).contains("did not converge") && w.get(1).contains("iteration_limit"), w.get(1));
    assertTrue(w.get(2).startsWith("q = 1.000e-08 is at the boundary"), w.get(2));
    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertEquals(r.aic(), json.get("aic").asDouble(), 0.0);
    assertEquals(r.bic(), json.get("bic").asDouble(), 0.0);
    assertEquals(1800, json.get("observed_components").asLong());
    assertEquals(3, json.get("free_parameters").asInt());
    assertEquals("oim", json.get("standard_errors_method").asText());
    assertEquals(3, json.get("warnings").size());
    JsonNode q = json.get("parameters").get(0);
    assertTrue(q.get("at_boundary").asBoolean());
    assertTrue(q.get("z").isNull() && q.get("p_value").isNull() && q.get("ci_lower").isNull());
    for (String kept : List.of("name", "initial", "fitted", "standard_error", "theta", "initial_gradient")) {
      assertTrue(q.has(kept), "report.json keeps " + kept);
    }
    FitReport converged = report("nll", "gradient_tolerance",
        List.of(new FitReport.Parameter("q", 1.0, 0.9, 0.1, "log q", 0.1)), "from the observed information");
    assertEquals(List.of(), converged.warnings());
    FitReport prediction = report("prediction", "gradient_tolerance",
        List.of(new FitReport.Parameter("q", 1.0, 0.9, Double.NaN, "log q", 0.1)), "not computed: (--loss nll)")
        .withAssessment(new FitReport.Assessment(1800, 1, null, 0.25));
    assertTrue(Double.isNaN(prediction.aic()) && Double.isNaN(prediction.bic()));
    assertEquals(List.of(), prediction.warnings(), "no standard errors asked for (--no-standard-errors): no warning");
    assertTrue(prediction.summaryLine().contains("-> 100.0000000 (without dropout 0.2500000000) in 12 iterations"),
        prediction.summaryLine());
    JsonNode pj = new ObjectMapper().readTree(prediction.toJson());
    assertTrue(pj.get("aic").isNull());
    assertEquals(0.25, pj.get("final_loss_without_dropout").asDouble(), 0.0);
  }
}
