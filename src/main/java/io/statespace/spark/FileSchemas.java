package io.statespace.spark;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.orc.OrcUtils;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Each input file's own schema (a CSV file's header line, a Parquet footer, an ORC footer), read in one Spark
 * job over the files, or on the driver for at most {@link #DRIVER_FILES} files, so that columns are matched
 * by every file's own names and types rather than by the first file's: a CSV part whose columns come in
 * another order is read by name, not by position.
 */
final class FileSchemas {
  /** One file's schema (null when the file has none: an empty CSV file), or why it could not be read. */
  record FileSchema(String file, StructType schema, String error) implements Serializable {}

  /**
   * Up to this many files are read on the driver: a few header lines or footers cost less there than the
   * scheduling of a Spark job (about a second of the 2,000 × 50 fit's input phase, docs/BENCHMARKS.md).
   */
  static final int DRIVER_FILES = 8;

  private FileSchemas() {}

  static List<FileSchema> read(SparkSession spark, InputFiles input, String format) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    for (Map.Entry<String, String> e : input.readerOptions().entrySet()) conf.set(e.getKey(), e.getValue());
    if (input.count() <= DRIVER_FILES) {
      List<FileSchema> out = new ArrayList<>();
      for (String f : input.files()) out.add(schema(one(f, format, conf)));
      return out;
    }
    SerializableConfiguration shared = new SerializableConfiguration(conf);
    int slices = Math.max(1, Math.min(input.count(), 4 * jsc.defaultParallelism()));
    String previous = spark.sparkContext().getLocalProperty("spark.job.description");
    spark.sparkContext().setJobDescription("read the schema of each of " + input.count() + " input files");
    try {
      List<String[]> found = jsc.parallelize(input.files(), slices).map(f -> one(f, format, shared.value())).collect();
      List<FileSchema> out = new ArrayList<>();
      for (String[] r : found) out.add(schema(r));
      return out;
    } finally {
      spark.sparkContext().setJobDescription(previous);
    }
  }

  private static FileSchema schema(String[] r) {
    return new FileSchema(r[0], r[1] == null ? null : (StructType) DataType.fromJson(r[1]), r[2]);
  }

  /** {file, schema as JSON or null, error or null}: plain strings, so that nothing but text crosses the wire. */
  private static String[] one(String file, String format, Configuration conf) {
    try {
      StructType schema = switch (format) {
        case "csv" -> csvHeader(new Path(file), conf);
        case "parquet" -> parquet(new Path(file), conf);
        case "orc" -> orc(new Path(file), conf);
        default -> throw new IllegalArgumentException("no per-file schema for " + format);
      };
      return new String[] {file, schema == null ? null : schema.json(), null};
    } catch (Exception | LinkageError e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int nl = m.indexOf('\n');
      return new String[] {file, null, nl < 0 ? m : m.substring(0, nl)};
    }
  }

  /** The header's names as string columns, or null for a file with no line at all. */
  private static StructType csvHeader(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
    try (InputStream raw = fs.open(file);
        InputStream in = new BufferedInputStream(codec == null ? raw : codec.createInputStream(raw))) {
      String binary = FileMagic.of(in);
      if (binary != null) throw new IllegalArgumentException("a " + binary + " file, not CSV: pass --format " + binary);
      CsvParserSettings settings = new CsvParserSettings();
      settings.getFormat().setDelimiter(',');
      settings.getFormat().setQuote('"');
      settings.getFormat().setQuoteEscape('"');
      settings.setLineSeparatorDetectionEnabled(true);
      settings.setIgnoreLeadingWhitespaces(false);
      settings.setIgnoreTrailingWhitespaces(false);
      settings.setMaxCharsPerColumn(-1);
      settings.setMaxColumns(100_000);
      CsvParser parser = new CsvParser(settings);
      parser.beginParsing(new InputStreamReader(in, StandardCharsets.UTF_8));
      String[] header = parser.parseNext();
      parser.stopParsing();
      if (header == null) return null;
      StructType schema = new StructType();
      for (int i = 0; i < header.length; i++) {
        String name = header[i] == null || header[i].isEmpty() ? "_c" + i : header[i];
        if (i == 0 && name.charAt(0) == '\uFEFF') name = name.substring(1);
        schema = schema.add(name, DataTypes.StringType, true);
      }
      return schema;
    }
  }

  private static StructType parquet(Path file, Configuration conf) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      return new ParquetToSparkSchemaConverter(SQLConf.get()).convert(reader.getFooter().getFileMetaData().getSchema());
    }
  }

  private static StructType orc(Path file, Configuration conf) {
    var description = OrcUtils.readSchema(file, conf, false);
    if (description.isEmpty()) throw new IllegalArgumentException("not an ORC file, or one without a schema");
    return OrcUtils.toCatalystSchema(description.get());
  }
}
