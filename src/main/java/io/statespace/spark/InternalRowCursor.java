package io.statespace.spark;

import java.util.Iterator;
import org.apache.spark.sql.catalyst.CatalystTypeConverters$;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;

/**
 * {@link ParsedRowCursor} over Spark's internal rows as the grouped plan produces them ({@link
 * SmoothJob#internalRows}): observations and inputs are read as primitive doubles straight from the row's
 * arrays, the key is compared as UTF-8 bytes, and only the id (once per trajectory) and the time value (once per
 * row, which the output needs as an object anyway) are converted to the values a generic row would hold, by
 * Spark's own converters for their types. The iterator may reuse one row object whose bytes the next row
 * overwrites (a sort's or a spill reader's iterator does), so everything kept is copied: the key, the converted
 * values, the doubles, and the one row {@link #hold} keeps.
 */
final class InternalRowCursor implements ParsedRowCursor {
  private final Iterator<InternalRow> in;
  private final DataType idType;
  private final DataType timeType;
  private final Function1<Object, Object> idToExternal;
  private final Function1<Object, Object> timeToExternal;
  private InternalRow row;

  /** @param idType the id column's type, @param timeType the time column's (the parsed rows' id and time_value) */
  InternalRowCursor(Iterator<InternalRow> in, DataType idType, DataType timeType) {
    this.in = in;
    this.idType = idType;
    this.timeType = timeType;
    this.idToExternal = CatalystTypeConverters$.MODULE$.createToScalaConverter(idType);
    this.timeToExternal = CatalystTypeConverters$.MODULE$.createToScalaConverter(timeType);
  }

  @Override
  public boolean hasNext() {
    return in.hasNext();
  }

  @Override
  public void next() {
    row = in.next();
  }

  @Override
  public void hold() {
    row = row.copy();
  }

  @Override
  public boolean valid() {
    return row.getBoolean(ParsedRows.VALID_INDEX);
  }

  @Override
  public Object key() {
    return row.getUTF8String(ParsedRows.KEY_INDEX).copy();
  }

  @Override
  public boolean hasKey(Object key) {
    return !row.isNullAt(ParsedRows.KEY_INDEX) && key.equals(row.getUTF8String(ParsedRows.KEY_INDEX));
  }

  @Override
  public Object id() {
    return external(ParsedRows.ID_INDEX, idType, idToExternal);
  }

  @Override
  public Object timeValue() {
    return external(ParsedRows.TIME_VALUE_INDEX, timeType, timeToExternal);
  }

  private Object external(int ordinal, DataType type, Function1<Object, Object> converter) {
    return row.isNullAt(ordinal) ? null : converter.apply(row.get(ordinal, type));
  }

  @Override
  public long seconds() {
    return row.getStruct(ParsedRows.TIME_INDEX, 2).getLong(0);
  }

  @Override
  public double fraction() {
    return row.getStruct(ParsedRows.TIME_INDEX, 2).getDouble(1);
  }

  @Override
  public void observations(double[] into, int offset, int count) {
    copy(row.getArray(ParsedRows.OBS_INDEX), into, offset, count);
  }

  @Override
  public void inputs(double[] into, int offset, int count) {
    copy(row.getArray(ParsedRows.INPUTS_INDEX), into, offset, count);
  }

  private static void copy(ArrayData values, double[] into, int offset, int count) {
    if (values.numElements() < count) {
      throw new IllegalStateException(values.numElements() + " values in a parsed row, expected " + count);
    }
    for (int i = 0; i < count; i++) into[offset + i] = values.getDouble(i);
  }

  @Override
  public RejectReason reason() {
    return RejectReason.fromCode(text(ParsedRows.CODE_INDEX));
  }

  @Override
  public String message() {
    return text(ParsedRows.REASON_INDEX);
  }

  @Override
  public String raw() {
    return text(ParsedRows.RAW_INDEX);
  }

  private String text(int ordinal) {
    UTF8String s = row.getUTF8String(ordinal);
    return s == null ? null : s.toString();
  }
}
