package io.statespace.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import scala.Tuple2;

/**
 * A text input's time column in a typed output (Parquet, ORC, JSON): CSV holds every cell as text, so a
 * numeric time column would otherwise be written as strings. The column's type is decided from all the
 * valid time cells of the input (counted in the pass that counts the input rows), and only where that keeps
 * every value exactly: integers that fit in 64 bits as a long;
 * decimals whose shortest double prints as the same number as a double; other decimals as a decimal of
 * their largest scale (up to 38 digits); anything else (ISO-8601 text, a mix) stays text as read.
 */
final class TextTimes {
  private TextTimes() {}

  /**
   * What a column of time texts can be written as exactly: whether any is not a number, whether any is not
   * an integer, whether every one survives a double (its shortest double prints as the same number), and
   * the largest scale and count of integer digits.
   */
  record Kind(boolean text, boolean fractional, boolean doubleExact, int scale, int integerDigits) implements Serializable {
    static final Kind NONE = new Kind(false, false, true, 0, 0);
    private static final Kind TEXT = new Kind(true, true, false, 0, 0);

    /** The kind of one time cell; a cell that is not a valid time (it goes to quarantine) changes nothing. */
    static Kind ofTime(String cell) {
      if (cell == null) return NONE;
      try {
        ValueParser.time(cell);
      } catch (ValueParser.NotANumber e) {
        return NONE;
      }
      return of(cell);
    }

    /** The kind of one cell (a null cell changes nothing). */
    static Kind of(String cell) {
      if (cell == null) return NONE;
      String s = cell.trim();
      if (!ValueParser.isDecimal(s)) return TEXT;
      BigDecimal exact;
      try {
        exact = new BigDecimal(s);
      } catch (NumberFormatException | ArithmeticException e) {
        return TEXT;
      }
      boolean integerText = s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0
          && exact.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
      double d = exact.doubleValue();
      boolean doubleExact = Double.isFinite(d) && new BigDecimal(Double.toString(d)).compareTo(exact) == 0;
      return new Kind(false, !integerText, doubleExact, Math.max(0, exact.scale()), Math.max(1, exact.precision() - exact.scale()));
    }

    /**
     * The kind of a valid time cell and of the forecast times that may follow it (cell + k·dt, k = 1..H):
     * their integer digits are bounded by those at k = 1 and k = H, their scale is the larger of the cell's and
     * dt's, and they are taken to survive a double only when that many digits (at most 15) always do, so that a
     * column of such sums is typed exactly whichever cell turns out to be a trajectory's last.
     */
    static Kind ofTime(String cell, ForecastTimes forecast) {
      Kind kind = ofTime(cell);
      if (!forecast.active() || kind == NONE || kind.text) return kind;
      BigDecimal exact = new BigDecimal(cell.trim());
      Kind next = of(exact.add(forecast.dt()).toPlainString())
          .merge(of(exact.add(forecast.dt().multiply(BigDecimal.valueOf(forecast.steps()))).toPlainString()));
      boolean doubleExact = next.doubleExact && next.integerDigits + next.scale <= 15;
      return kind.merge(new Kind(next.text, next.fractional, doubleExact, next.scale, next.integerDigits));
    }

    Kind merge(Kind o) {
      return new Kind(text || o.text, fractional || o.fractional, doubleExact && o.doubleExact, Math.max(scale, o.scale),
          Math.max(integerDigits, o.integerDigits));
    }

    /** The column type that holds every one of these texts exactly (string when none does). */
    DataType type() {
      if (text || integerDigits == 0) return DataTypes.StringType;
      if (!fractional) return DataTypes.LongType;
      if (doubleExact) return DataTypes.DoubleType;
      if (scale + integerDigits <= 38) return DataTypes.createDecimalType(scale + integerDigits, scale);
      return DataTypes.StringType;
    }
  }

  /** Whether a time column read as text is to be typed: text input (CSV) written in a typed format. */
  static boolean applies(String inputFormat, String outputFormat) {
    return InputSource.normalizeFormat(inputFormat).equals("csv") && !InputSource.normalizeFormat(outputFormat).equals("csv");
  }

  /** The input's row count and, when its time column is text, the kind of its valid time cells (else null). */
  record Counted(long rows, Kind kind) {}

  /**
   * Counts the input rows and, in the same pass, decides the kind of the time cells that are valid times (a
   * cell that is not one is quarantined, so it does not decide the written type): the rows that reach the
   * states are a subset of these, and no second pass over the states is needed.
   */
  static Counted count(Dataset<Row> rows, String time) {
    return count(rows, time, ForecastTimes.NONE);
  }

  /** As above, the kind covering also the forecast times that may follow each valid time ({@link Kind#ofTime(String, ForecastTimes)}). */
  static Counted count(Dataset<Row> rows, String time, ForecastTimes forecast) {
    if (!(rows.schema().apply(time).dataType() instanceof StringType)) return new Counted(rows.count(), null);
    Tuple2<Long, Kind> r = rows.select(col("`" + time + "`")).javaRDD()
        .aggregate(new Tuple2<>(0L, Kind.NONE), (acc, row) -> new Tuple2<>(acc._1() + 1,
            acc._2().merge(Kind.ofTime(row.getString(0), forecast))),
            (a, b) -> new Tuple2<>(a._1() + b._1(), a._2().merge(b._2())));
    return new Counted(r._1(), r._2());
  }

  /** The states with their time column written as {@code kind}'s type (as they are when kind is null or text). */
  static Dataset<Row> typed(Dataset<Row> states, String time, Kind kind) {
    if (kind == null || !(states.schema().apply(time).dataType() instanceof StringType)) return states;
    DataType type = kind.type();
    if (type.equals(DataTypes.StringType)) return states;
    UserDefinedFunction convert = udf((org.apache.spark.sql.api.java.UDF1<String, Object>) t -> convert(t, type), type);
    List<Column> cols = new ArrayList<>();
    for (String name : states.columns()) {
      Column c = col("`" + name + "`");
      cols.add(name.equals(time) ? convert.apply(c).as(name) : c);
    }
    return states.select(cols.toArray(new Column[0]));
  }

  private static Object convert(String text, DataType type) {
    if (text == null) return null;
    BigDecimal exact = new BigDecimal(text.trim());
    if (type.equals(DataTypes.LongType)) return exact.longValueExact();
    if (type.equals(DataTypes.DoubleType)) return exact.doubleValue();
    return exact.setScale(((org.apache.spark.sql.types.DecimalType) type).scale());
  }
}
