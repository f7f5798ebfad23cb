package io.statespace.spark;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Turns one cell into a double, strictly: missing markers (null, empty, NaN, NA, null) become NaN,
 * plain decimal numbers parse, infinities are reported as such, anything else is rejected. Java's
 * {@code Double.parseDouble} alone would accept "1.0f" or hex floats.
 */
final class ValueParser {
  private ValueParser() {}

  /** Thrown for a cell that is not a number. */
  static final class NotANumber extends Exception {
    private static final long serialVersionUID = 1L;

    NotANumber(String text) {
      super(text, null, false, false);
    }
  }

  /** The cell as a double; NaN when missing; ±Infinity for infinities. */
  static double number(Object cell) throws NotANumber {
    if (cell == null) return Double.NaN;
    if (cell instanceof Double) return (Double) cell;
    if (cell instanceof Float) return (Float) cell;
    if (cell instanceof BigDecimal) return ((BigDecimal) cell).doubleValue();
    if (cell instanceof Number) return ((Number) cell).doubleValue();
    if (cell instanceof String) return text((String) cell);
    throw new NotANumber(String.valueOf(cell));
  }

  private static double text(String raw) throws NotANumber {
    String s = raw.trim();
    if (s.isEmpty()) return Double.NaN;
    String lower = s.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "nan":
      case "na":
      case "null":
        return Double.NaN;
      case "inf":
      case "+inf":
      case "infinity":
      case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf":
      case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (!isDecimal(s)) throw new NotANumber(raw);
    return Double.parseDouble(s);
  }

  /** [+-] digits [. digits] [e [+-] digits], with at least one digit in the mantissa. */
  private static boolean isDecimal(String s) {
    int i = 0;
    int n = s.length();
    if (s.charAt(i) == '+' || s.charAt(i) == '-') i++;
    int digits = 0;
    while (i < n && Character.isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && Character.isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) return false;
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
      int exp = 0;
      while (i < n && Character.isDigit(s.charAt(i))) {
        i++;
        exp++;
      }
      if (exp == 0) return false;
    }
    return i == n;
  }

  /**
   * A time cell in seconds: numbers as they are; timestamps and dates as seconds since the epoch (UTC
   * for zone-less values); strings as numbers or ISO-8601 date-times.
   */
  static double seconds(Object cell) throws NotANumber {
    if (cell instanceof Timestamp) {
      Timestamp ts = (Timestamp) cell;
      return Math.floorDiv(ts.getTime(), 1000L) + ts.getNanos() / 1e9;
    }
    if (cell instanceof Instant) return instantSeconds((Instant) cell);
    if (cell instanceof LocalDateTime) return instantSeconds(((LocalDateTime) cell).toInstant(ZoneOffset.UTC));
    if (cell instanceof Date) return ((Date) cell).toLocalDate().toEpochDay() * 86400.0;
    if (cell instanceof LocalDate) return ((LocalDate) cell).toEpochDay() * 86400.0;
    if (cell instanceof String) {
      String s = ((String) cell).trim();
      if (!s.isEmpty() && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-' || s.charAt(0) == '+' || s.charAt(0) == '.')) {
        try {
          return number(s);
        } catch (NotANumber notNumeric) {
          return isoSeconds(s, (String) cell);
        }
      }
      return isoSeconds(s, (String) cell);
    }
    return number(cell);
  }

  private static double instantSeconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  private static double isoSeconds(String s, String raw) throws NotANumber {
    try {
      return instantSeconds(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      // not an offset date-time; try the zone-less forms
    }
    try {
      return instantSeconds(LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      // not a local date-time either
    }
    try {
      return LocalDate.parse(s).toEpochDay() * 86400.0;
    } catch (DateTimeParseException e) {
      throw new NotANumber(raw);
    }
  }
}
