package io.statespace.spark;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Turns one cell into a number, strictly and without ever throwing anything but {@link NotANumber}: missing
 * markers (null, empty, NaN, NA, null) become NaN, plain ASCII decimal numbers parse, infinities are reported
 * as such, anything else is rejected. Java's {@code Double.parseDouble} alone would accept "1.0f" or hex
 * floats, and {@code Character.isDigit} would let non-ASCII digits through to it. Times become an exact
 * {@link TimeKey}.
 */
final class ValueParser {
  private ValueParser() {}

  /** Thrown for a cell that is not a number (or not a time); the message is the cell as text. */
  static final class NotANumber extends Exception {
    private static final long serialVersionUID = 1L;
    private final String problem;

    NotANumber(String text) {
      this(text, "cannot parse '" + text + "'");
    }

    NotANumber(String text, String problem) {
      super(text, null, false, false);
      this.problem = problem;
    }

    /** What is wrong, as a phrase for a quarantine reason: "cannot parse 'x'", "not finite (NaN)", ... */
    String problem() {
      return problem;
    }
  }

  /** The cell as a double; NaN when missing; ±Infinity for infinities and for finite values beyond a double. */
  static double number(Object cell) throws NotANumber {
    if (cell == null) return Double.NaN;
    if (cell instanceof Double) return (Double) cell;
    if (cell instanceof Float) return (Float) cell;
    if (cell instanceof BigDecimal) return ((BigDecimal) cell).doubleValue();
    if (cell instanceof Long || cell instanceof Integer || cell instanceof Short || cell instanceof Byte) {
      return ((Number) cell).doubleValue();
    }
    if (cell instanceof String) return text((String) cell);
    throw new NotANumber(CellText.of(cell));
  }

  private static double text(String raw) throws NotANumber {
    String s = raw.trim();
    if (s.isEmpty()) return Double.NaN;
    if (missing(s)) return Double.NaN;
    double special = special(s);
    if (!Double.isNaN(special)) return special;
    if (!isDecimal(s)) throw new NotANumber(raw);
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new NotANumber(raw);
    }
  }

  private static boolean missing(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    return lower.equals("nan") || lower.equals("na") || lower.equals("null");
  }

  /** ±Infinity for the infinity spellings, else NaN (meaning: not one of them). */
  private static double special(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "inf":
      case "+inf":
      case "infinity":
      case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf":
      case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.NaN;
    }
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  /** [+-] digits [. digits] [e [+-] digits], ASCII only, with at least one digit in the mantissa. */
  static boolean isDecimal(String s) {
    int i = 0;
    int n = s.length();
    if (n == 0) return false;
    if (s.charAt(i) == '+' || s.charAt(i) == '-') i++;
    int digits = 0;
    while (i < n && digit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && digit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) return false;
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
      int exp = 0;
      while (i < n && digit(s.charAt(i))) {
        i++;
        exp++;
      }
      if (exp == 0) return false;
    }
    return i == n;
  }

  /**
   * A time cell as an exact key: integers as whole seconds; decimals (BigDecimal cells and decimal text) as
   * written; doubles bit for bit; timestamps and ISO-8601 text to the nanosecond (UTC for zone-less values);
   * dates as midnight UTC. Not finite, out of range (|t| ≥ 2^63 s) or unparsable cells are rejected.
   */
  static TimeKey time(Object cell) throws NotANumber {
    if (cell instanceof Long || cell instanceof Integer || cell instanceof Short || cell instanceof Byte) {
      return new TimeKey(((Number) cell).longValue(), 0.0);
    }
    if (cell instanceof Double || cell instanceof Float) return binary(((Number) cell).doubleValue(), CellText.of(cell));
    if (cell instanceof BigDecimal) return decimal((BigDecimal) cell, CellText.of(cell));
    if (cell instanceof Timestamp) {
      Timestamp ts = (Timestamp) cell;
      return TimeKey.ofNanos(Math.floorDiv(ts.getTime(), 1000L), ts.getNanos());
    }
    if (cell instanceof Instant) return TimeKey.ofNanos(((Instant) cell).getEpochSecond(), ((Instant) cell).getNano());
    if (cell instanceof LocalDateTime) {
      LocalDateTime t = (LocalDateTime) cell;
      return TimeKey.ofNanos(t.toEpochSecond(ZoneOffset.UTC), t.getNano());
    }
    if (cell instanceof Date) return new TimeKey(((Date) cell).toLocalDate().toEpochDay() * 86400L, 0.0);
    if (cell instanceof LocalDate) return new TimeKey(((LocalDate) cell).toEpochDay() * 86400L, 0.0);
    if (cell instanceof String) return timeText((String) cell);
    throw new NotANumber(CellText.of(cell));
  }

  private static TimeKey timeText(String raw) throws NotANumber {
    String s = raw.trim();
    if (s.isEmpty() || missing(s)) throw new NotANumber(raw, "not finite (NaN)");
    double special = special(s);
    if (Double.isInfinite(special)) throw new NotANumber(raw, "not finite (" + special + ")");
    if (isDecimal(s)) {
      BigDecimal exact;
      try {
        exact = new BigDecimal(s);
      } catch (NumberFormatException | ArithmeticException e) {
        throw outOfRange(raw);
      }
      return decimal(exact, raw);
    }
    return iso(s, raw);
  }

  /** A double bit for bit: its integral part toward zero and the rest, which a double holds exactly. */
  private static TimeKey binary(double t, String text) throws NotANumber {
    if (!Double.isFinite(t)) throw new NotANumber(text, "not finite (" + t + ")");
    if (!(Math.abs(t) < 0x1p63)) throw outOfRange(text);
    long whole = (long) t;
    return new TimeKey(whole, t - whole);
  }

  /** A decimal exactly in its whole seconds; its fraction rounded to a double only when finer than 1e-15 s. */
  private static TimeKey decimal(BigDecimal t, String text) throws NotANumber {
    if (t.signum() == 0) return new TimeKey(0L, 0.0);
    long integerDigits = (long) t.precision() - t.scale();
    if (integerDigits <= 0) return new TimeKey(0L, t.doubleValue());
    if (integerDigits > 19) throw outOfRange(text);
    BigDecimal whole = t.setScale(0, RoundingMode.DOWN);
    if (whole.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw outOfRange(text);
    long seconds = whole.longValueExact();
    return new TimeKey(seconds, t.subtract(whole).doubleValue());
  }

  private static NotANumber outOfRange(String text) {
    return new NotANumber(text, "'" + text + "' is outside the supported range (|t| < 2^63)");
  }

  private static TimeKey iso(String s, String raw) throws NotANumber {
    try {
      OffsetDateTime t = OffsetDateTime.parse(s);
      return TimeKey.ofNanos(t.toEpochSecond(), t.getNano());
    } catch (DateTimeException e) {
      // not an offset date-time; try the zone-less forms
    }
    try {
      LocalDateTime t = LocalDateTime.parse(s.replace(' ', 'T'));
      return TimeKey.ofNanos(t.toEpochSecond(ZoneOffset.UTC), t.getNano());
    } catch (DateTimeException e) {
      // not a local date-time either
    }
    try {
      return new TimeKey(LocalDate.parse(s).toEpochDay() * 86400L, 0.0);
    } catch (DateTimeException e) {
      throw new NotANumber(raw);
    }
  }
}
