package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
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
    assertEquals(12.5, ValueParser.seconds("12.5"));
    assertEquals(1704067200.0, ValueParser.seconds("2024-01-01T00:00:00Z"));
    assertEquals(1704067201.0, ValueParser.seconds("2024-01-01 00:00:01"));
    assertEquals(1704067200.0, ValueParser.seconds("2024-01-01"));
    Timestamp ts = Timestamp.from(Instant.parse("2024-01-01T00:00:00.250Z"));
    assertEquals(1704067200.25, ValueParser.seconds(ts));
    ValueParser.NotANumber e = assertThrows(ValueParser.NotANumber.class, () -> ValueParser.seconds("yesterday"));
    assertEquals("yesterday", e.getMessage(), "the refusal names the cell");
  }
}
