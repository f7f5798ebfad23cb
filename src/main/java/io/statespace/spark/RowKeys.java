package io.statespace.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What joins an input row back to its output in {@link RowwiseSmoothing}: each input row is validated by
 * {@link ParsedRows} itself (the same one-to-one pass the engine stage starts with) and gets its parse outcome
 * appended to its own values: for a valid row, its trajectory key and its time as exact text ({@link CellText},
 * the text the quarantine holds), for a rejected row its reason. A valid row's (key, time text) is unique among
 * the engine's state rows, because rows that share a time within a trajectory are all quarantined.
 */
final class RowKeys implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;

  static final String KEY = "__statespace_key";
  static final String TIME = "__statespace_time";
  static final String CODE = "__statespace_code";
  static final String REASON = "__statespace_reason";
  /** Added after the input's own columns, in this order. */
  static final int WIDTH = 4;

  /** The reasons {@link ParsedRows} gives; every other reason is given to rows that parsed (by the assembler or engine). */
  static final Set<String> PARSE_REASONS = Set.of(RejectReason.CORRUPT_RECORD.code(), RejectReason.NULL_ID.code(),
      RejectReason.BAD_TIME.code(), RejectReason.BAD_VALUE.code(), RejectReason.INFINITE_VALUE.code(),
      RejectReason.BAD_INPUT.code());

  private final ParsedRows parser;
  private final int width;

  RowKeys(io.statespace.model.spec.Columns columns, StructType inputSchema, String corruptColumn) {
    this.parser = new ParsedRows(columns, inputSchema, corruptColumn);
    this.width = inputSchema.size();
  }

  /** The input's schema with the four fields appended. */
  static StructType schema(StructType input) {
    return input.add(KEY, DataTypes.StringType, true).add(TIME, DataTypes.StringType, true)
        .add(CODE, DataTypes.StringType, true).add(REASON, DataTypes.StringType, true);
  }

  /**
   * The key of a quarantine row's id text: {@link CellText#key} merges -0.0 and 0.0 of a floating-point id into
   * one trajectory, and the quarantine names the trajectory by its first row's id.
   */
  static String keyOfIdText(String idText, DataType idType) {
    boolean floating = idType.equals(DataTypes.DoubleType) || idType.equals(DataTypes.FloatType);
    return floating && "-0.0".equals(idText) ? "0.0" : idText;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    Row[] current = new Row[1];
    Iterator<Row> tracked = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        current[0] = rows.next();
        return current[0];
      }
    };
    Iterator<Row> parsed = parser.call(tracked);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return parsed.hasNext();
      }

      @Override
      public Row next() {
        Row p = parsed.next();
        Row in = current[0];
        Object[] v = new Object[width + WIDTH];
        for (int i = 0; i < width; i++) v[i] = in.get(i);
        if (p.getBoolean(ParsedRows.VALID_INDEX)) {
          v[width] = p.getString(ParsedRows.KEY_INDEX);
          v[width + 1] = CellText.of(p.get(ParsedRows.TIME_VALUE_INDEX));
        } else {
          v[width + 2] = p.getString(ParsedRows.CODE_INDEX);
          v[width + 3] = p.getString(ParsedRows.REASON_INDEX);
        }
        return RowFactory.create(v);
      }
    };
  }
}
