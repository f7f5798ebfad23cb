package io.statespace.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters$;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import scala.Function1;

/**
 * Generic rows as the {@link UnsafeRow}s a Spark plan hands over, and an iterator that hands them out the way a
 * sort's iterator does: one row object whose bytes every load overwrites, loaded ahead by {@code hasNext} as
 * whole-stage generated code does, so that a consumer that keeps a reference instead of a copy reads another row.
 */
final class UnsafeRowsFixture {
  private UnsafeRowsFixture() {}

  /** Each row of {@code schema} in Spark's internal form, one independent {@link UnsafeRow} per row. */
  static List<InternalRow> unsafe(List<Row> rows, StructType schema) {
    Function1<Object, Object> toInternal = CatalystTypeConverters$.MODULE$.createToCatalystConverter(schema);
    UnsafeProjection project = UnsafeProjection.create(schema);
    List<InternalRow> out = new ArrayList<>(rows.size());
    for (Row r : rows) out.add(project.apply((InternalRow) toInternal.apply(r)).copy());
    return out;
  }

  /** The rows through one reused row object (see the class comment); its buffer is filled with garbage first. */
  static Iterator<InternalRow> reusing(List<InternalRow> rows) {
    return new Iterator<>() {
      private final byte[] buffer = new byte[rows.stream().mapToInt(r -> ((UnsafeRow) r).getSizeInBytes()).max().orElse(0)];
      private final UnsafeRow shared = new UnsafeRow(rows.isEmpty() ? 0 : rows.get(0).numFields());
      private int loaded = -1;
      private int handed = -1;

      @Override
      public boolean hasNext() {
        if (loaded == handed && handed + 1 < rows.size()) load(handed + 1);
        return loaded > handed;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) throw new NoSuchElementException();
        handed = loaded;
        return shared;
      }

      private void load(int i) {
        byte[] bytes = ((UnsafeRow) rows.get(i)).getBytes();
        Arrays.fill(buffer, (byte) 0x5A);
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
        shared.pointTo(buffer, Platform.BYTE_ARRAY_OFFSET, bytes.length);
        loaded = i;
      }
    };
  }
}
