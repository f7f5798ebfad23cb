package io.statespace.spark;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * A cell as exact text, for quarantine's id and time columns and for trajectory keys: strings as they are
 * (spaces kept), binary as upper-case hex (Spark's {@code hex}), decimals in plain notation (Spark's scales of 0 to 38;
 * scientific beyond 100, so that 1E+99999 stays short), doubles as
 * Java's shortest round-trip text, timestamps as ISO-8601 instants in UTC to the nanosecond, dates as
 * ISO-8601 dates. Distinct values of one column give distinct text, so the text can key a trajectory.
 */
final class CellText {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private CellText() {}

  /** The cell as text; null stays null. */
  static String of(Object cell) {
    if (cell == null) return null;
    if (cell instanceof String) return (String) cell;
    if (cell instanceof byte[]) return HEX.formatHex((byte[]) cell);
    if (cell instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) cell;
      return d.scale() >= 0 && d.scale() <= 100 ? d.toPlainString() : d.toString();
    }
    if (cell instanceof Timestamp) return ((Timestamp) cell).toInstant().toString();
    if (cell instanceof LocalDateTime) return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format((LocalDateTime) cell);
    if (cell instanceof Date) return ((Date) cell).toLocalDate().toString();
    return String.valueOf(cell);
  }

  /**
   * The key grouping rows into trajectories: the id's text, with -0.0 and 0.0 one key as Spark groups them.
   * Byte arrays are keyed by content, never by reference.
   */
  static String key(Object id) {
    if (id instanceof Double && (Double) id == 0.0) return "0.0";
    if (id instanceof Float && (Float) id == 0.0f) return "0.0";
    return of(id);
  }
}
