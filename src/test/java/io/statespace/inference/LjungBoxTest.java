package io.statespace.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The Ljung-Box test against statsmodels' acorr_ljungbox at its default lag min(10, N // 5) on series of 5, 9, 10
 * and 60 values (src/test/resources/io/statespace/outputs/reference.py), to 1e-12; fewer than 5 values or a
 * constant series: no test.
 */
class LjungBoxTest {
  @Test
  void equalsStatsmodelsAtTheDefaultLag() throws IOException {
    JsonNode cases;
    try (InputStream in = LjungBoxTest.class.getResourceAsStream("/io/statespace/outputs/ljungbox-expected.json")) {
      cases = new ObjectMapper().readTree(in);
    }
    assertEquals(4, cases.size());
    for (JsonNode c : cases) {
      double[] x = new double[c.get("x").size()];
      for (int i = 0; i < x.length; i++) x[i] = c.get("x").get(i).asDouble();
      LjungBox.Result r = LjungBox.test(x, x.length);
      assertNotNull(r, "N = " + x.length);
      assertEquals(c.get("lag").asInt(), r.lag(), "lag for N = " + x.length);
      double q = c.get("ljung_box").asDouble();
      assertEquals(q, r.statistic(), 1e-12 * q, "Q for N = " + x.length);
      assertEquals(c.get("pvalue").asDouble(), r.pValue(), 1e-12, "p-value for N = " + x.length);
    }
  }

  @Test
  void tooShortOrConstantSeriesHaveNoTest() {
    assertNull(LjungBox.test(new double[] {0.1, -0.4, 1.2, 0.3}, 4), "4 values: lag 0");
    assertEquals(0, LjungBox.lag(4));
    assertEquals(1, LjungBox.lag(5));
    assertEquals(10, LjungBox.lag(1000));
    assertNull(LjungBox.test(new double[] {0.7, 0.7, 0.7, 0.7, 0.7, 0.7}, 6), "no variation");
    assertNull(LjungBox.test(new double[0], 0));
  }
}
