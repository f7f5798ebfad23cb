package io.statespace.inference.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.Compare;
import io.statespace.testing.ElementwiseComparison;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The exact diffuse filter and smoother of the sequential engine against statsmodels 0.13.5's
 * {@code use_exact_diffuse=True} (values written by {@code src/test/resources/io/statespace/diffuse/
 * make_reference.py}): the log-likelihood to 1e-9 relative, the smoothed means and covariances and the
 * filtered means per element to 1e-9 with the per-component floor of {@link ElementwiseComparison}.
 */
class DiffuseStatsmodelsTest {
  static final double TOL = 1e-9;

  static JsonNode reference() throws IOException {
    try (InputStream in = DiffuseStatsmodelsTest.class.getResourceAsStream("/io/statespace/diffuse/reference.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static JsonNode caseNamed(String name) throws IOException {
    for (JsonNode c : reference().get("cases")) {
      if (c.get("name").asText().equals(name)) return c;
    }
    throw new IllegalArgumentException(name);
  }

  /** The model file of a reference case (its own initial block unless given). */
  static String modelFile(JsonNode c) {
    JsonNode m = c.get("model");
    if (m.get("family").asText().equals("local-level")) {
      return String.format(Locale.ROOT, "{\"family\": \"local-level\", \"level_std\": %.17g, \"measurement_std\": %.17g,"
          + " \"columns\": {\"observations\": [\"y\"]}, \"initial\": {\"diffuse\": true}}",
          Math.sqrt(m.get("level_var").asDouble()), Math.sqrt(m.get("measurement_var").asDouble()));
    }
    String initial = m.has("diffuse")
        ? "{\"diffuse\": " + m.get("diffuse") + ", \"mean\": " + m.get("mean") + ", \"cov\": " + m.get("cov") + "}"
        : "{\"diffuse\": true}";
    return String.format(Locale.ROOT, "{\"family\": \"constant-velocity\", \"spatial_dims\": 2, \"dt\": %.17g,"
        + " \"noise\": \"continuous\", \"q\": %.17g, \"measurement_std\": %s, \"columns\": {\"observations\": [\"x\", \"y\"]},"
        + " \"initial\": %s}", m.get("dt").asDouble(), m.get("q").asDouble(), m.get("measurement_std"), initial);
  }

  static StateSpaceModel model(JsonNode c) {
    return ModelSpec.parse(modelFile(c)).model();
  }

  static Trajectory trajectory(JsonNode c) {
    JsonNode y = c.get("y");
    int steps = y.size();
    int m = y.get(0).size();
    double[] obs = new double[steps * m];
    double[] times = new double[steps];
    for (int t = 0; t < steps; t++) {
      times[t] = t;
      for (int i = 0; i < m; i++) obs[t * m + i] = y.get(t).get(i).isNull() ? Double.NaN : y.get(t).get(i).asDouble();
    }
    return new Trajectory(c.get("name").asText(), times, obs, m);
  }

  static double[] flat(JsonNode rows) {
    int width = rows.get(0).size();
    double[] out = new double[rows.size() * width];
    for (int t = 0; t < rows.size(); t++) {
      for (int i = 0; i < width; i++) out[t * width + i] = rows.get(t).get(i).asDouble();
    }
    return out;
  }

  /** Asserts the posterior against the case's statsmodels values; returns the worst smoothed figure. */
  static double assertMatches(String label, Posterior p, JsonNode c) {
    int n = p.stateDim();
    Compare.assertRelClose(label + " log-likelihood", p.logLikelihood(), c.get("loglik").asDouble(), TOL);
    double[] sm = flat(c.get("smoothed_mean"));
    double[] sc = flat(c.get("smoothed_cov"));
    double worst = ElementwiseComparison.assertClose(label + " smoothed means", p.smoothedMeans(), sm,
        ElementwiseComparison.rmsScales(sm, n), TOL);
    worst = Math.max(worst, ElementwiseComparison.assertClose(label + " smoothed covariances", p.smoothedCovariances(), sc,
        ElementwiseComparison.matrixScales(sc, sc, n), TOL));
    double[] fm = flat(c.get("filtered_mean"));
    ElementwiseComparison.assertClose(label + " filtered means", p.filteredMeans(), fm,
        ElementwiseComparison.rmsScales(fm, n), TOL);
    return worst;
  }

  private static Posterior smooth(JsonNode c) {
    return new SequentialEngine().smooth(model(c), trajectory(c), Outputs.MOMENTS);
  }

  @Test
  void nileLocalLevelMatchesStatsmodelsYearByYear() throws IOException {
    JsonNode c = caseNamed("nile");
    Posterior p = smooth(c);
    assertEquals(100, p.length());
    double worst = assertMatches("nile", p, c);
    System.out.printf(Locale.ROOT, "nile: loglik %.12f (statsmodels %.12f), worst smoothed element %.2e%n",
        p.logLikelihood(), c.get("loglik").asDouble(), worst);
  }

  @Test
  void nileWithMissingYearsMatchesStatsmodels() throws IOException {
    JsonNode c = caseNamed("nile_missing");
    Posterior p = smooth(c);
    double worst = assertMatches("nile_missing", p, c);
    System.out.printf(Locale.ROOT, "nile_missing: loglik %.12f, worst smoothed element %.2e%n", p.logLikelihood(), worst);
  }

  @Test
  void constantVelocityWithPositionsAndVelocitiesDiffuseMatchesStatsmodels() throws IOException {
    JsonNode c = caseNamed("cv_diffuse");
    assertEquals(4, c.get("nobs_diffuse").asInt(), "the case is meant to have a diffuse period of 4 steps");
    Posterior p = smooth(c);
    double worst = assertMatches("cv_diffuse", p, c);
    System.out.printf(Locale.ROOT, "cv_diffuse: loglik %.12f, worst smoothed element %.2e%n", p.logLikelihood(), worst);
  }

  @Test
  void partlyDiffuseConstantVelocityMatchesStatsmodels() throws IOException {
    JsonNode c = caseNamed("cv_partly_diffuse");
    Posterior p = smooth(c);
    double worst = assertMatches("cv_partly_diffuse", p, c);
    System.out.printf(Locale.ROOT, "cv_partly_diffuse: loglik %.12f, worst smoothed element %.2e%n", p.logLikelihood(), worst);
  }
}
