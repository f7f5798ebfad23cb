package io.statespace.spark;

import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;

/**
 * The common type of one column whose type differs between input files (int64 in one Parquet part, double
 * in another): integers widen to 64-bit integers, numbers to double, a number and a string to string (our
 * own parser reads the text). An id never becomes floating point (7 and 7.0 would be one trajectory only by
 * luck): integer ids widen to 64-bit integers, and an integer id next to a string id is read as its text.
 */
final class TypeWidening {
  private TypeWidening() {}

  /** The wider type, or null when there is none (e.g. a timestamp and a number). */
  static DataType widen(DataType a, DataType b, boolean id) {
    if (a.equals(b)) return a;
    if (nullable(a).equals(nullable(b))) return nullable(a);
    if (integral(a) && integral(b)) return DataTypes.LongType;
    if (id) return (text(a) || integral(a)) && (text(b) || integral(b)) ? DataTypes.StringType : null;
    if (numeric(a) && numeric(b)) return DataTypes.DoubleType;
    if ((numeric(a) || text(a)) && (numeric(b) || text(b))) return DataTypes.StringType;
    return null;
  }

  /**
   * The type with every element, value and field nullable: Spark's writers mark arrays {@code containsNull}
   * or not per file, and a union must take the looser one (a cast the other way is refused).
   */
  static DataType nullable(DataType t) {
    if (t instanceof org.apache.spark.sql.types.ArrayType a) return DataTypes.createArrayType(nullable(a.elementType()), true);
    if (t instanceof org.apache.spark.sql.types.MapType m) {
      return DataTypes.createMapType(nullable(m.keyType()), nullable(m.valueType()), true);
    }
    if (t instanceof org.apache.spark.sql.types.StructType st) {
      org.apache.spark.sql.types.StructType out = new org.apache.spark.sql.types.StructType();
      for (org.apache.spark.sql.types.StructField f : st.fields()) out = out.add(f.name(), nullable(f.dataType()), true, f.metadata());
      return out;
    }
    return t;
  }

  private static boolean integral(DataType t) {
    return t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType;
  }

  private static boolean numeric(DataType t) {
    return integral(t) || t instanceof FloatType || t instanceof DoubleType || t instanceof DecimalType;
  }

  private static boolean text(DataType t) {
    return t instanceof StringType;
  }
}
