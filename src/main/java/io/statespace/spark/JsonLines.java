package io.statespace.spark;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * JSON lines (one object per line, the layout of Spark's JSON reader), with one row-level problem made
 * explicit: an object that repeats a key. Left to Spark, such a line either fails the schema inference of
 * the whole input ({@code COLUMN_ALREADY_EXISTS}) or, under a given schema, silently keeps the last value.
 * Here each line's top-level keys are checked first (ignoring case, as Spark matches names); a line that
 * repeats one becomes a malformed record (reason {@code corrupt_record}, naming the key and the line) and
 * the schema is inferred from the other lines only.
 */
final class JsonLines {
  private static final String LINE = "value";
  private static final String REPEATED = "repeated_key";
  private static final String UDF = "statespace_json_repeated_key";
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonLines() {}

  static Dataset<Row> read(SparkSession spark, InputFiles files) {
    spark.udf().register(UDF, (UDF1<String, String>) JsonLines::repeatedKey, DataTypes.StringType);
    Dataset<Row> lines = InputSource.reader(spark, files).text(files.files().toArray(new String[0]))
        .filter(col(LINE).rlike("\\S"))
        .withColumn(REPEATED, call_udf(UDF, col(LINE)));
    Dataset<String> clean = lines.filter(col(REPEATED).isNull()).select(col(LINE)).as(Encoders.STRING());
    StructType inferred = spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", InputSource.CORRUPT)
        .json(clean).schema();
    StructType schema = inferred;
    if (!List.of(schema.fieldNames()).contains(InputSource.CORRUPT)) schema = schema.add(InputSource.CORRUPT, DataTypes.StringType, true);
    Dataset<Row> good = spark.read().schema(schema).option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", InputSource.CORRUPT).json(clean);
    List<Column> bad = new ArrayList<>();
    for (StructField f : schema.fields()) {
      bad.add(f.name().equals(InputSource.CORRUPT)
          ? concat(lit("repeated key \""), col(REPEATED), lit("\" in JSON line: "), col(LINE)).as(f.name())
          : lit(null).cast(f.dataType()).as(f.name()));
    }
    return good.union(lines.filter(col(REPEATED).isNotNull()).select(bad.toArray(new Column[0])));
  }

  /** The first top-level key that the object on this line repeats (ignoring case), or null. */
  static String repeatedKey(String line) {
    if (line == null) return null;
    try (JsonParser p = FACTORY.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      Set<String> seen = new HashSet<>();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        if (!seen.add(name.toLowerCase(Locale.ROOT))) return name;
        p.nextToken();
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }
}
