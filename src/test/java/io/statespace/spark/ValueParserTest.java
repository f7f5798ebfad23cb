package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueParserTest {
  @Test
  void decimalNumbersParse() throws Exception {
    assertEquals(2.5, ValueParser.number(" 2.5 "));
    assertEquals(-1e-3, ValueParser.number("-1e-3"));
    assertEquals(0.5, ValueParser.number(".5"));
    assertEquals(5.0, ValueParser.number("5."));
    assertEquals(3.0, ValueParser.number(3L));
    assertEquals(1.25, ValueParser.number(new java.math.BigDecimal("1.25")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "NaN", "nan", "NA", "null"})
  void missingMarkersAreNaN(String cell) throws Exception {
    assertTrue(Double.isNaN(ValueParser.number(cell)));
  }

  @Test
  void infinitiesAreReportedAsSuch() throws Exception {
    assertEquals(Double.POSITIVE_INFINITY, ValueParser.number("inf"));
    assertEquals(Double.NEGATIVE_INFINITY, ValueParser.number("-Infinity"));
    assertEquals(Double.POSITIVE_INFINITY, ValueParser.number("1e999"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1.0f", "2d", "0x1p3", "--1", "e5", "1e", "1,5", "1 2", "."})
  void anythingElseIsRejected(String cell) {
    ValueParser.NotANumber e = assertThrows(ValueParser.NotANumber.class, () -> ValueParser.number(cell));
    assertEquals(cell, e.getMessage(), "the refusal names the cell");
  }

  @Test
  void timesParseFromNumbersTimestampsAndIsoText() throws Exception {
    assertEquals(new TimeKey(12, 0.5), ValueParser.time("12.5"));
    assertEquals(new TimeKey(1704067200, 0.0), ValueParser.time("2024-01-01T00:00:00Z"));
    assertEquals(new TimeKey(1704067201, 0.0), ValueParser.time("2024-01-01 00:00:01"));
    assertEquals(new TimeKey(1704067200, 0.0), ValueParser.time("2024-01-01"));
    Timestamp ts = Timestamp.from(Instant.parse("2024-01-01T00:00:00.250Z"));
    assertEquals(new TimeKey(1704067200, 0.25), ValueParser.time(ts));
    ValueParser.NotANumber e = assertThrows(ValueParser.NotANumber.class, () -> ValueParser.time("yesterday"));
    assertEquals("cannot parse 'yesterday'", e.problem());
  }

  @Test
  void integerTimesAreExactWhereADoubleIsNot() throws Exception {
    long base = 1_700_000_000_000_000_000L;
    TimeKey a = ValueParser.time(base);
    TimeKey b = ValueParser.time(base + 1);
    assertEquals((double) base, (double) (base + 1), "the premise: a double cannot tell these apart");
    assertTrue(a.compareTo(b) < 0);
    assertEquals(1.0, b.since(a));
    assertEquals(1000.0, ValueParser.time(base + 1000).since(a));
    assertEquals(-1.0, ValueParser.time(Long.MIN_VALUE).since(ValueParser.time(Long.MIN_VALUE + 1)));
    assertEquals(0x1p64, ValueParser.time(Long.MAX_VALUE).since(ValueParser.time(Long.MIN_VALUE)), 0x1p12);
  }

  @Test
  void decimalTimesKeepTheirDigitsAsWritten() throws Exception {
    TimeKey a = ValueParser.time("1700000000.000001");
    TimeKey b = ValueParser.time("1700000000.000002");
    assertEquals(1700000000.000001, 1700000000.000002, 1e-6, "the premise: close in double");
    assertEquals(1e-6, b.since(a), 1e-20);
    assertEquals(ValueParser.time(new BigDecimal("1700000000.000001")), a);
    assertEquals(new TimeKey(0, -0.5), ValueParser.time("-0.5"));
    assertEquals(new TimeKey(-3, -0.25), ValueParser.time(new BigDecimal("-3.25")));
  }

  @Test
  void timestampsAreExactToTheNanosecondOnBothSidesOfTheEpoch() throws Exception {
    Timestamp before = Timestamp.from(Instant.parse("1969-12-31T23:59:59.999999Z"));
    Timestamp after = Timestamp.from(Instant.parse("1970-01-01T00:00:00.000001Z"));
    assertEquals(2e-6, ValueParser.time(after).since(ValueParser.time(before)), 1e-21);
    assertEquals(ValueParser.time("1969-12-31T23:59:59.999999Z"), ValueParser.time(before));
    assertEquals(ValueParser.time("-0.000001"), ValueParser.time(before), "ISO text and decimal text agree");
    assertEquals(ValueParser.time(LocalDateTime.parse("2024-01-01T00:00:00.000000001")),
        ValueParser.time(Instant.parse("2024-01-01T00:00:00.000000001Z")));
    assertEquals(new TimeKey(19723L * 86400, 0.0), ValueParser.time(LocalDate.parse("2024-01-01")));
  }

  @Test
  void doubleTimesAreKeptBitForBit() throws Exception {
    double[] values = {0.1, 0.30000000000000004, -1e-300, 1e-12, 2e-12, -2.5, 4503599627370497.0, 1e18, -0.0};
    for (double v : values) {
      TimeKey k = ValueParser.time(v);
      assertEquals(new BigDecimal(v).compareTo(new BigDecimal(k.seconds()).add(new BigDecimal(k.fraction()))), 0, "" + v);
    }
    assertTrue(ValueParser.time(1e-12).compareTo(ValueParser.time(2e-12)) < 0);
    assertEquals(ValueParser.time(0.0), ValueParser.time(-0.0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "", "inf", "-Infinity", "1e99999", "-1e20", "9223372036854775808", "1e9999999999",
      "١٢", "１", ".", "-", "+.e1", "1\u00A0", "\u00A01", "0x10", "2024-13-45"})
  void badTimesAreRejectedWithAProblem(String cell) {
    ValueParser.NotANumber e = assertThrows(ValueParser.NotANumber.class, () -> ValueParser.time(cell));
    assertFalse(e.problem().isBlank());
  }

  @Test
  void badTimeProblemsNameTheCause() {
    assertEquals("not finite (NaN)", problem(() -> ValueParser.time(Float.NaN)));
    assertEquals("not finite (Infinity)", problem(() -> ValueParser.time(Double.POSITIVE_INFINITY)));
    assertEquals("'1e99999' is outside the supported range (|t| < 2^63)", problem(() -> ValueParser.time("1e99999")));
    assertEquals("'1E+99999' is outside the supported range (|t| < 2^63)",
        problem(() -> ValueParser.time(new BigDecimal("1E+99999"))));
    assertEquals("'1.0E19' is outside the supported range (|t| < 2^63)", problem(() -> ValueParser.time(1e19)));
    assertEquals("cannot parse 'true'", problem(() -> ValueParser.time(Boolean.TRUE)));
  }

  private interface Parse {
    Object run() throws ValueParser.NotANumber;
  }

  private static String problem(Parse parse) {
    return assertThrows(ValueParser.NotANumber.class, parse::run).problem();
  }

  @ParameterizedTest
  @ValueSource(strings = {"١٢", "١.٥", "１", "1e١", "٣e2", "1\u00A0", "\u00A01", "+.e1", "-", "+", "1e+", "Infinity1",
      "1_000", "1e99999x", "NaNa"})
  void nonAsciiDigitsAndOddFormsAreNotNumbers(String cell) {
    ValueParser.NotANumber e = assertThrows(ValueParser.NotANumber.class, () -> ValueParser.number(cell));
    assertEquals(cell, e.getMessage());
  }

  @Test
  void hugeAndTinyExponentsOverflowToInfinityOrRoundToZero() throws Exception {
    assertEquals(Double.POSITIVE_INFINITY, ValueParser.number("1e99999"));
    assertEquals(Double.NEGATIVE_INFINITY, ValueParser.number("-1e99999999999999999999"));
    assertEquals(0.0, ValueParser.number("1e-99999"));
    assertEquals(Double.POSITIVE_INFINITY, ValueParser.number(new BigDecimal("1E+99999")));
    assertEquals(0.0, ValueParser.number(new BigDecimal("1E-99999")));
    assertTrue(Double.isNaN(ValueParser.number(Float.NaN)));
    assertThrows(ValueParser.NotANumber.class, () -> ValueParser.number(new byte[] {1}));
  }

  /**
   * Random strings over an alphabet of digits (ASCII and not), signs, points, exponents, spaces (NBSP too)
   * and letters: number and time never throw anything but NotANumber, a string the ASCII grammar accepts
   * parses to Java's value of it, and a string with a non-ASCII character is never a number.
   */
  @Test
  void fuzzedCellsEndInAValueOrNotANumber() {
    String alphabet = "0123456789+-.eE iInNaAfFxXpPdD_,\u00A0\u0661\uFF11\u0966\t";
    Random rng = new Random(20261130L);
    int parsed = 0;
    for (int k = 0; k < 200_000; k++) {
      int len = rng.nextInt(12);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < len; i++) b.append(alphabet.charAt(rng.nextInt(alphabet.length())));
      String cell = b.toString();
      try {
        double v = ValueParser.number(cell);
        String t = cell.trim();
        assertTrue(t.chars().allMatch(c -> c < 128), "non-ASCII accepted: " + cell);
        if (ValueParser.isDecimal(t)) {
          assertEquals(Double.parseDouble(t), v, "value of " + cell);
          parsed++;
        }
      } catch (ValueParser.NotANumber e) {
        assertEquals(cell, e.getMessage());
      }
      try {
        TimeKey key = ValueParser.time(cell);
        String t = cell.trim();
        if (ValueParser.isDecimal(t)) {
          BigDecimal exact = new BigDecimal(t);
          BigDecimal back = new BigDecimal(key.seconds()).add(new BigDecimal(key.fraction()));
          assertTrue(exact.subtract(back).abs().compareTo(new BigDecimal("1e-15")) <= 0, cell + " -> " + key);
        }
      } catch (ValueParser.NotANumber e) {
        assertFalse(e.problem().isBlank());
      }
    }
    assertTrue(parsed > 1000, "the fuzzer must reach the number grammar, got " + parsed);
  }

  /** Times ordered as keys are ordered as exact decimals, equal keys only for equal decimals. */
  @Test
  void timeKeysOrderLikeTheExactDecimals() throws Exception {
    Random rng = new Random(7L);
    for (int k = 0; k < 50_000; k++) {
      String a = randomDecimal(rng);
      String b = rng.nextInt(4) == 0 ? a + (a.contains(".") ? "0" : ".0") : randomDecimal(rng);
      int exact = Integer.signum(new BigDecimal(a).compareTo(new BigDecimal(b)));
      assertEquals(exact, Integer.signum(ValueParser.time(a).compareTo(ValueParser.time(b))), a + " vs " + b);
    }
  }

  private static String randomDecimal(Random rng) {
    StringBuilder b = new StringBuilder(rng.nextBoolean() ? "-" : "");
    b.append(rng.nextInt(3) == 0 ? 1_700_000_000_000_000_000L + rng.nextInt(2000) : rng.nextInt(5));
    if (rng.nextBoolean()) {
      b.append('.');
      int digits = 1 + rng.nextInt(12);
      for (int i = 0; i < digits; i++) b.append(rng.nextInt(3) == 0 ? (char) ('0' + rng.nextInt(10)) : '0');
    }
    return b.toString();
  }

  @Test
  void cellTextIsExactAndKeysBinaryByContent() {
    assertEquals(" 1", CellText.of(" 1"));
    assertEquals("0A FF".replace(" ", ""), CellText.of(new byte[] {10, -1}));
    assertEquals(CellText.key(new byte[] {1, 2}), CellText.key(new byte[] {1, 2}));
    assertEquals("0.00000001", CellText.of(new BigDecimal("0.00000001")));
    assertEquals("1E+99999", CellText.of(new BigDecimal("1E+99999")));
    assertEquals("2023-11-14T22:13:20.000001Z", CellText.of(Timestamp.from(Instant.parse("2023-11-14T22:13:20.000001Z"))));
    assertEquals("2024-01-01T00:00:00", CellText.of(LocalDateTime.parse("2024-01-01T00:00")));
    assertEquals(CellText.key(0.0), CellText.key(-0.0));
  }
}
