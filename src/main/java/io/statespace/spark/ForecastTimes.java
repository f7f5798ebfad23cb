package io.statespace.spark;

import io.statespace.family.Families;
import io.statespace.model.spec.ModelSpec;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * The times of forecast rows ({@code --forecast-steps H}, {@code --forecast-dt}): the k-th of H rows appended
 * after a trajectory's last time t_last has the time t_last + k·dt, in the time column's own type and computed
 * exactly (integers and decimals as exact numbers, timestamps to the microsecond, ISO-8601 text to the
 * nanosecond; a double or float column gets the value nearest to the exact sum of the decimal it prints as and
 * k·dt, one rounding, so that 0.3 + 0.1 is 0.4). dt is
 * {@code --forecast-dt} or, when that is not given, the model's fixed dt; a model without a fixed dt
 * (local-level, linear, dt from the data) needs {@code --forecast-dt}. A step the column cannot hold (a
 * fraction on an integer column, a fraction of a microsecond on a timestamp column) is refused before any
 * work; a time past the column's range fails the trajectory's task ({@link OutOfRange}).
 *
 * @param steps H, 0 for no forecast
 * @param dt the step in seconds (positive), null when {@code steps} is 0
 * @param dtSource where dt came from, for refusals ({@code --forecast-dt 0.5}, {@code the model's dt 0.1})
 * @param timeType the time column's type once {@link #forColumn} has checked it, else null
 */
public record ForecastTimes(int steps, BigDecimal dt, String dtSource, DataType timeType) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final BigDecimal DAY = BigDecimal.valueOf(86_400);
  private static final BigDecimal TWO_TO_63 = new BigDecimal(BigInteger.ONE.shiftLeft(63));

  /** No forecast. */
  public static final ForecastTimes NONE = new ForecastTimes(0, null, null, null);

  /** True when rows are appended. */
  public boolean active() {
    return steps > 0;
  }

  /**
   * The forecast of {@code spec}'s model from the user's options, validated before Spark starts.
   *
   * @param steps H ({@code stepsName})
   * @param dtText the step in seconds as decimal text ({@code dtName}), or null for the model's fixed dt
   * @throws IllegalArgumentException one line naming the option: a negative H, a dt that is not a positive
   *     finite decimal, a dt without H, no dt for a model without a fixed one, a model with inputs
   */
  public static ForecastTimes of(int steps, String dtText, ModelSpec spec, String stepsName, String dtName) {
    if (steps < 0) throw new IllegalArgumentException(stepsName + " must not be negative, got " + steps);
    if (steps == 0) {
      if (dtText != null) throw new IllegalArgumentException(dtName + " " + dtText + " needs " + stepsName + " H > 0");
      return NONE;
    }
    if (!spec.columns().inputs().isEmpty() || spec.model().inputDim() > 0) {
      throw new IllegalArgumentException(stepsName + ": the model takes inputs (" + String.join(", ", spec.columns().inputs())
          + "), which forecast rows do not have; forecasts are only made for models without inputs");
    }
    if (dtText != null) {
      BigDecimal dt;
      try {
        dt = ValueParser.isDecimal(dtText.trim()) ? new BigDecimal(dtText.trim()) : null;
      } catch (NumberFormatException | ArithmeticException e) {
        dt = null;
      }
      if (dt == null || dt.signum() <= 0 || dt.compareTo(TWO_TO_63) >= 0) {
        throw new IllegalArgumentException(dtName + " must be a positive decimal number of seconds below 2^63, got '"
            + dtText + "'");
      }
      return new ForecastTimes(steps, dt, dtName + " " + dtText, null);
    }
    double fixed = Families.of(spec.model()).fixedDt(spec.model());
    if (Double.isNaN(fixed) || fixed <= 0) {
      throw new IllegalArgumentException(stepsName + ": the " + Families.of(spec.model()).name() + " model has no fixed "
          + "dt, so give " + dtName + " (the seconds between forecast rows)");
    }
    return new ForecastTimes(steps, BigDecimal.valueOf(fixed), "the model's dt " + fixed, null);
  }

  /**
   * These forecast times for a time column of {@code type}.
   *
   * @throws InputException one line naming the column, when a forecast time cannot be of its type: a step with
   *     a fraction on an integer column, finer than the scale of a decimal column, not a whole number of
   *     microseconds on a timestamp column or of days on a date column, finer than a nanosecond on a text column
   */
  ForecastTimes forColumn(DataType type, String column) {
    if (!active()) return this;
    BigDecimal step = dt.stripTrailingZeros();
    String refusal = null;
    if (type instanceof LongType || type instanceof IntegerType || type instanceof ShortType || type instanceof ByteType) {
      if (step.scale() > 0) refusal = "holds integers (" + type.simpleString() + "), so the step must be a whole number";
    } else if (type instanceof DecimalType) {
      int scale = ((DecimalType) type).scale();
      if (step.scale() > scale) refusal = "is " + type.simpleString() + ", so the step may have at most " + scale + " decimals";
    } else if (type instanceof TimestampType || type instanceof TimestampNTZType) {
      if (step.scale() > 6) refusal = "holds timestamps (microseconds), so the step must be a whole number of microseconds";
    } else if (type instanceof DateType) {
      if (step.remainder(DAY).signum() != 0) refusal = "holds dates, so the step must be a whole number of days (86400 s)";
    } else if (type instanceof StringType) {
      if (step.scale() > 9) refusal = "is text (ISO-8601 times hold nanoseconds), so the step must be a whole number of nanoseconds";
    } else if (!(type instanceof DoubleType || type instanceof FloatType)) {
      refusal = "has type " + type.simpleString() + ", which forecast times cannot be";
    }
    if (refusal != null) {
      throw new InputException(dtSource + ": time column '" + column + "' " + refusal + "; give --forecast-dt (forecastDt) "
          + "in the column's precision");
    }
    return new ForecastTimes(steps, dt, dtSource, type);
  }

  /** A forecast time the time column cannot hold: past its range, or not after the one before it. */
  public static final class OutOfRange extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    OutOfRange(String message) {
      super(message);
    }
  }

  /**
   * The H forecast time values after {@code last} (a trajectory's last time as read), in {@code last}'s Java type.
   *
   * @param trajectory the trajectory's key, for the message
   * @throws OutOfRange when one falls outside the column's range (or 2^63 s) or rounds onto the time before it
   */
  Object[] after(Object last, String trajectory) {
    Object[] out = new Object[steps];
    for (int k = 1; k <= steps; k++) {
      BigDecimal offset = dt.multiply(BigDecimal.valueOf(k));
      try {
        out[k - 1] = plus(last, offset);
      } catch (ArithmeticException | DateTimeException | IllegalArgumentException e) {
        throw outOfRange(last, k, trajectory, "outside the column's range");
      }
    }
    return out;
  }

  /** The exact key of a forecast time value, checked to lie after {@code previous}. */
  TimeKey key(Object value, TimeKey previous, Object last, int k, String trajectory) {
    TimeKey key;
    try {
      key = ValueParser.time(value);
    } catch (ValueParser.NotANumber e) {
      throw outOfRange(last, k, trajectory, e.problem());
    }
    if (key.compareTo(previous) <= 0) throw outOfRange(last, k, trajectory, "not after the time before it at the column's precision");
    return key;
  }

  private OutOfRange outOfRange(Object last, int k, String trajectory, String why) {
    return new OutOfRange("forecast row " + k + " of trajectory '" + trajectory + "' (last time " + CellText.of(last) + " + "
        + k + " x " + dt.toPlainString() + " s): " + why);
  }

  private Object plus(Object last, BigDecimal offset) {
    if (last instanceof Long) return exact(BigDecimal.valueOf((Long) last).add(offset)).longValueExact();
    if (last instanceof Integer) return exact(BigDecimal.valueOf((Integer) last).add(offset)).intValueExact();
    if (last instanceof Short) return exact(BigDecimal.valueOf((Short) last).add(offset)).shortValueExact();
    if (last instanceof Byte) return exact(BigDecimal.valueOf((Byte) last).add(offset)).byteValueExact();
    if (last instanceof Double) return finite(BigDecimal.valueOf((Double) last).add(offset).doubleValue());
    if (last instanceof Float) return (float) finite(new BigDecimal(Float.toString((Float) last)).add(offset).floatValue());
    if (last instanceof BigDecimal) return decimal((BigDecimal) last, offset);
    if (last instanceof Timestamp) return Timestamp.from(((Timestamp) last).toInstant().plusNanos(nanos(offset)));
    if (last instanceof Instant) return ((Instant) last).plusNanos(nanos(offset));
    if (last instanceof LocalDateTime) return ((LocalDateTime) last).plusNanos(nanos(offset));
    if (last instanceof Date) return Date.valueOf(((Date) last).toLocalDate().plusDays(days(offset)));
    if (last instanceof LocalDate) return ((LocalDate) last).plusDays(days(offset));
    if (last instanceof String) return text((String) last, offset);
    throw new IllegalArgumentException("unsupported time value " + last.getClass().getSimpleName());
  }

  /** Integers: the sum has no fraction ({@link #forColumn} checked the step). */
  private static BigDecimal exact(BigDecimal sum) {
    return sum.setScale(0, RoundingMode.UNNECESSARY);
  }

  private static double finite(double v) {
    if (!Double.isFinite(v)) throw new ArithmeticException("not finite");
    return v;
  }

  /** A decimal column's value: the sum at the column's scale, within its precision. */
  private BigDecimal decimal(BigDecimal last, BigDecimal offset) {
    DecimalType type = timeType instanceof DecimalType ? (DecimalType) timeType : null;
    int scale = type != null ? type.scale() : Math.max(last.scale(), offset.scale());
    BigDecimal sum = last.add(offset).setScale(scale, RoundingMode.UNNECESSARY);
    if (type != null && sum.precision() - sum.scale() > type.precision() - type.scale()) {
      throw new ArithmeticException("more integer digits than " + type.simpleString());
    }
    return sum;
  }

  private static long nanos(BigDecimal offset) {
    return offset.movePointRight(9).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
  }

  private static long days(BigDecimal offset) {
    return offset.divide(DAY).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
  }

  /**
   * Text times in the form of {@code last}: decimal text as the exact sum in plain notation (the scale of the
   * finer of the two); ISO-8601 text as the same form (with the same offset, or zone-less), a date as a date
   * when the step is whole days, else as a zone-less date-time.
   */
  private static String text(String last, BigDecimal offset) {
    String s = last.trim();
    if (ValueParser.isDecimal(s)) return new BigDecimal(s).add(offset).toPlainString();
    try {
      OffsetDateTime t = OffsetDateTime.parse(s);
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.plusNanos(nanos(offset)));
    } catch (DateTimeException e) {
      // not an offset date-time; the zone-less forms follow
    }
    try {
      LocalDateTime t = LocalDateTime.parse(s.replace(' ', 'T'));
      return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t.plusNanos(nanos(offset)));
    } catch (DateTimeException e) {
      // not a local date-time either
    }
    LocalDate d = LocalDate.parse(s);
    if (offset.remainder(DAY).signum() == 0) return d.plusDays(days(offset)).toString();
    return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(d.atStartOfDay().plusNanos(nanos(offset)));
  }

  /** One line for the log. */
  String describe() {
    return active() ? steps + " forecast rows per trajectory, " + dt.toPlainString() + " s apart (" + dtSource + ")" : "no forecast";
  }
}
