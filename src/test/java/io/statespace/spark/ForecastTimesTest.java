package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.model.spec.ModelSpec;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * The times of forecast rows, without Spark: t_last + k·dt exactly in each time column's own type, the refusals
 * of a step the column cannot hold (one line naming the option and the column), of a missing step for a model
 * without a fixed dt, and of a model with inputs; and a time past the column's range failing with one line.
 */
class ForecastTimesTest {
  private static final String LOCAL_LEVEL = "{\"family\": \"local-level\", \"level_std\": 1, \"measurement_std\": 1,"
      + " \"initial\": {\"mean\": [0], \"cov\": [[1]]}, \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"y\"]}}";
  private static final String CV_FIXED = "{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"dt\": 0.1, \"noise\": "
      + "\"continuous\", \"q\": 1, \"measurement_std\": [1], \"initial\": {\"mean\": [0, 0], \"cov\": [[1, 0], [0, 1]]},"
      + " \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"x\"]}}";
  private static final String WITH_INPUTS = "{\"family\": \"linear\", \"state_dim\": 1, \"obs_dim\": 1,"
      + " \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"y\"], \"inputs\": [\"u\"]},"
      + " \"initial\": {\"mean\": [0], \"cov\": [[1]]}, \"dynamics\": {\"weights\": [[1]], \"cov\": [[1]],"
      + " \"input_weights\": [[1]]}, \"emissions\": {\"weights\": [[1]], \"cov\": [[1]]}}";

  private static ForecastTimes times(int steps, String dt, DataType type) {
    return ForecastTimes.of(steps, dt, ModelSpec.parse(LOCAL_LEVEL), "--forecast-steps", "--forecast-dt").forColumn(type, "t");
  }

  @Test
  void integersAddWholeSteps() {
    assertArrayEquals(new Object[] {35L, 40L, 45L}, times(3, "5", DataTypes.LongType).after(30L, "a"));
    assertArrayEquals(new Object[] {35, 40}, times(2, "5.000", DataTypes.IntegerType).after(30, "a"));
    assertArrayEquals(new Object[] {(short) 31}, times(1, "1", DataTypes.ShortType).after((short) 30, "a"));
  }

  @Test
  void doublesAreTheNearestDoubleToTheDecimalSum() {
    assertArrayEquals(new Object[] {0.4, 0.5, 0.6}, times(3, "0.1", DataTypes.DoubleType).after(0.3, "a"),
        "0.3 + 0.1 is 0.4, not the double next to it");
    assertArrayEquals(new Object[] {1.7e18 + 512}, times(1, "512", DataTypes.DoubleType).after(1.7e18, "a"));
    assertArrayEquals(new Object[] {2.5f}, times(1, "0.5", DataTypes.FloatType).after(2.0f, "a"));
  }

  @Test
  void decimalsKeepTheColumnsScale() {
    Object[] t = times(2, "0.125", DataTypes.createDecimalType(10, 3)).after(new BigDecimal("2.500"), "a");
    assertArrayEquals(new Object[] {new BigDecimal("2.625"), new BigDecimal("2.750")}, t);
    assertEquals("2.750", ((BigDecimal) t[1]).toPlainString());
  }

  @Test
  void timestampsAddSecondsToTheMicrosecond() {
    Timestamp last = Timestamp.from(Instant.parse("2024-01-01T00:00:00.000001Z"));
    Object[] t = times(2, "0.5", DataTypes.TimestampType).after(last, "a");
    assertEquals(Timestamp.from(Instant.parse("2024-01-01T00:00:00.500001Z")), t[0]);
    assertEquals(Timestamp.from(Instant.parse("2024-01-01T00:00:01.000001Z")), t[1]);
    assertArrayEquals(new Object[] {Instant.parse("2024-01-01T00:01:30.000001Z")},
        times(1, "90", DataTypes.TimestampType).after(Instant.parse("2024-01-01T00:00:00.000001Z"), "a"));
    assertArrayEquals(new Object[] {LocalDateTime.parse("2024-01-01T00:00:00.000003")},
        times(1, "0.000002", DataTypes.TimestampNTZType).after(LocalDateTime.parse("2024-01-01T00:00:00.000001"), "a"));
  }

  @Test
  void datesAddWholeDays() {
    assertArrayEquals(new Object[] {Date.valueOf("2024-03-01")},
        times(1, "86400", DataTypes.DateType).after(Date.valueOf("2024-02-29"), "a"));
    assertArrayEquals(new Object[] {LocalDate.parse("2024-03-02")},
        times(1, "172800", DataTypes.DateType).after(LocalDate.parse("2024-02-29"), "a"));
  }

  @Test
  void textKeepsItsForm() {
    ForecastTimes text = times(2, "0.25", DataTypes.StringType);
    assertArrayEquals(new Object[] {"1.75", "2.00"}, text.after("1.50", "a"));
    assertArrayEquals(new Object[] {"1700000000.000001", "1700000000.250001"},
        times(2, "0.25", DataTypes.StringType).after("1699999999.750001", "a"));
    ForecastTimes ninety = times(1, "90", DataTypes.StringType);
    assertArrayEquals(new Object[] {"2024-01-01T00:01:30Z"}, ninety.after("2024-01-01T00:00:00Z", "a"));
    assertArrayEquals(new Object[] {"2024-01-01T00:01:30.5+02:00"}, ninety.after("2024-01-01T00:00:00.5+02:00", "a"));
    assertArrayEquals(new Object[] {"2024-01-01T00:01:30"}, ninety.after("2024-01-01 00:00:00", "a"));
    assertArrayEquals(new Object[] {"2024-01-01T00:01:30"}, ninety.after("2024-01-01", "a"));
    assertArrayEquals(new Object[] {"2024-01-02"}, times(1, "86400", DataTypes.StringType).after("2024-01-01", "a"));
  }

  @Test
  void aFixedDtModelSpacesByItsDtUnlessTheOptionSaysOtherwise() {
    ModelSpec cv = ModelSpec.parse(CV_FIXED);
    ForecastTimes byModel = ForecastTimes.of(2, null, cv, "--forecast-steps", "--forecast-dt");
    assertEquals(new BigDecimal("0.1"), byModel.dt());
    assertArrayEquals(new Object[] {"1.1", "1.2"}, byModel.forColumn(DataTypes.StringType, "t").after("1.0", "a"));
    assertEquals(new BigDecimal("2"), ForecastTimes.of(2, "2", cv, "--forecast-steps", "--forecast-dt").dt());
  }

  @Test
  void stepsTheColumnCannotHoldAreRefusedNamingTheColumn() {
    InputException e = assertThrows(InputException.class, () -> times(2, "0.5", DataTypes.LongType));
    assertEquals("--forecast-dt 0.5: time column 't' holds integers (bigint), so the step must be a whole number; give "
        + "--forecast-dt (forecastDt) in the column's precision", e.getMessage());
    assertThrows(InputException.class, () -> times(2, "0.0000001", DataTypes.TimestampType));
    assertThrows(InputException.class, () -> times(2, "3600", DataTypes.DateType));
    assertThrows(InputException.class, () -> times(2, "0.0001", DataTypes.createDecimalType(10, 3)));
    assertThrows(InputException.class, () -> times(2, "1e-10", DataTypes.StringType));
    InputException model = assertThrows(InputException.class, () -> ForecastTimes.of(1, null, ModelSpec.parse(CV_FIXED),
        "--forecast-steps", "--forecast-dt").forColumn(DataTypes.LongType, "t"));
    assertTrue(model.getMessage().startsWith("the model's dt 0.1: time column 't' holds integers"), model.getMessage());
  }

  @Test
  void optionsAreRefusedInOneLine() {
    ModelSpec level = ModelSpec.parse(LOCAL_LEVEL);
    IllegalArgumentException noDt = assertThrows(IllegalArgumentException.class,
        () -> ForecastTimes.of(3, null, level, "--forecast-steps", "--forecast-dt"));
    assertEquals("--forecast-steps: the local-level model has no fixed dt, so give --forecast-dt (the seconds between "
        + "forecast rows)", noDt.getMessage());
    IllegalArgumentException inputs = assertThrows(IllegalArgumentException.class,
        () -> ForecastTimes.of(3, "1", ModelSpec.parse(WITH_INPUTS), "--forecast-steps", "--forecast-dt"));
    assertEquals("--forecast-steps: the model takes inputs (u), which forecast rows do not have; forecasts are only made "
        + "for models without inputs", inputs.getMessage());
    for (String bad : new String[] {"0", "-1", "abc", "NaN", "inf", "1e19"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ForecastTimes.of(3, bad, level, "--forecast-steps", "--forecast-dt"));
      assertEquals("--forecast-dt must be a positive decimal number of seconds below 2^63, got '" + bad + "'", e.getMessage());
    }
    assertEquals("--forecast-steps must not be negative, got -2", assertThrows(IllegalArgumentException.class,
        () -> ForecastTimes.of(-2, "1", level, "--forecast-steps", "--forecast-dt")).getMessage());
    assertEquals("--forecast-dt 1 needs --forecast-steps H > 0", assertThrows(IllegalArgumentException.class,
        () -> ForecastTimes.of(0, "1", level, "--forecast-steps", "--forecast-dt")).getMessage());
    assertEquals(ForecastTimes.NONE, ForecastTimes.of(0, null, level, "--forecast-steps", "--forecast-dt"));
  }

  @Test
  void aTimePastTheColumnsRangeFailsNamingTheTrajectory() {
    ForecastTimes.OutOfRange e = assertThrows(ForecastTimes.OutOfRange.class,
        () -> times(3, "1", DataTypes.IntegerType).after(Integer.MAX_VALUE - 1, "trk-7"));
    assertEquals("forecast row 2 of trajectory 'trk-7' (last time 2147483646 + 2 x 1 s): outside the column's range",
        e.getMessage());
    assertThrows(ForecastTimes.OutOfRange.class,
        () -> times(1, "1", DataTypes.createDecimalType(4, 1)).after(new BigDecimal("999.5"), "a"));
    ForecastTimes tiny = times(1, "1", DataTypes.DoubleType);
    Object[] t = tiny.after(1e300, "a");
    ForecastTimes.OutOfRange big = assertThrows(ForecastTimes.OutOfRange.class,
        () -> tiny.key(t[0], TimeKey.ofNanos(0, 0), 1e300, 1, "a"));
    assertTrue(big.getMessage().contains("outside the supported range"), big.getMessage());
    ForecastTimes.OutOfRange same = assertThrows(ForecastTimes.OutOfRange.class,
        () -> tiny.key(1.0e17, new TimeKey(100_000_000_000_000_000L, 0.0), 1.0e17, 1, "a"));
    assertTrue(same.getMessage().endsWith("not after the time before it at the column's precision"), same.getMessage());
  }
}
