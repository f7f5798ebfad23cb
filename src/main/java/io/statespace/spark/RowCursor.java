package io.statespace.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * {@link ParsedRowCursor} over generic rows ({@code Dataset<Row>}), for the callers that have them: the fit's
 * input phase, the segmented path and sampling. Generic rows are never reused, so {@link #hold} keeps nothing.
 */
final class RowCursor implements ParsedRowCursor {
  private final Iterator<Row> in;
  private Row row;

  RowCursor(Iterator<Row> in) {
    this.in = in;
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
  public void hold() {}

  @Override
  public boolean valid() {
    return row.getBoolean(ParsedRows.VALID_INDEX);
  }

  @Override
  public Object key() {
    return row.getString(ParsedRows.KEY_INDEX);
  }

  @Override
  public boolean hasKey(Object key) {
    return key.equals(row.getString(ParsedRows.KEY_INDEX));
  }

  @Override
  public Object id() {
    return row.get(ParsedRows.ID_INDEX);
  }

  @Override
  public Object timeValue() {
    return row.get(ParsedRows.TIME_VALUE_INDEX);
  }

  @Override
  public long seconds() {
    return row.getStruct(ParsedRows.TIME_INDEX).getLong(0);
  }

  @Override
  public double fraction() {
    return row.getStruct(ParsedRows.TIME_INDEX).getDouble(1);
  }

  @Override
  public void observations(double[] into, int offset, int count) {
    copy(row.getList(ParsedRows.OBS_INDEX), into, offset, count);
  }

  @Override
  public void inputs(double[] into, int offset, int count) {
    copy(row.getList(ParsedRows.INPUTS_INDEX), into, offset, count);
  }

  private static void copy(List<Double> values, double[] into, int offset, int count) {
    if (values.size() < count) throw new IllegalStateException(values.size() + " values in a parsed row, expected " + count);
    for (int i = 0; i < count; i++) into[offset + i] = values.get(i);
  }

  @Override
  public RejectReason reason() {
    return RejectReason.fromCode(row.getString(ParsedRows.CODE_INDEX));
  }

  @Override
  public String message() {
    return row.getString(ParsedRows.REASON_INDEX);
  }

  @Override
  public String raw() {
    return row.getString(ParsedRows.RAW_INDEX);
  }
}
