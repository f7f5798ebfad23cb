package io.statespace.ml;

import io.statespace.execution.BackendOption;
import io.statespace.execution.EngineChoice;
import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.gpu.DeviceProbe;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.ForecastTimes;
import io.statespace.spark.InputSource;
import io.statespace.spark.OutputChoice;
import io.statespace.spark.RowwiseSmoothing;
import io.statespace.spark.SmoothCore;
import io.statespace.spark.SmoothSettings;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What every smoothing stage does with its {@link SmoothingParams}: resolve the model and columns, validate the
 * choices, and call the smooth job's core ({@link SmoothCore}, {@link RowwiseSmoothing}), the one code path the
 * CLI also runs.
 */
final class Smoothing {
  private Smoothing() {}

  /** The model file with the column parameters applied, validated. */
  static ModelSpec spec(SmoothingParams<?> p) {
    if (!p.isDefined(p.modelSpec())) {
      throw new IllegalArgumentException(p.uid() + ": no model; set one with setModelJson, setModelFile or setModel");
    }
    ModelSpec spec = ModelSpec.parse(p.getModelJson());
    Columns columns = spec.columns().withOverrides(p.getIdCol(), p.getTimeCol(), list(p.getObservationCols()),
        list(p.getInputCols()));
    ModelSpec.checkColumns(columns, spec.model(), "columns.");
    if (columns.observations().isEmpty()) {
      throw new IllegalArgumentException("observationCols: name the " + spec.model().obsDim()
          + " observation columns in the model file or with setObservationCols");
    }
    return spec.withColumns(columns);
  }

  /** Everything the core needs, validated before any Spark job. */
  static SmoothSettings settings(SmoothingParams<?> p, SparkSession spark) {
    ModelSpec spec = spec(p);
    OutputChoice outputs = outputChoice(p);
    String backend = BackendOption.parse(p.getBackend()).label();
    if (backend.equals("gpu")) checkGpu(spec, spark.sparkContext().getConf());
    int threads = p.getThreads() > 0 ? p.getThreads() : spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
    return SmoothSettings.forDataset(spec, EngineChoice.parse(p.getEngine()), threads, p.getPartitions(), backend)
        .withOutputs(outputs).withForecast(forecast(p, spec));
  }

  /**
   * The forecast of {@code forecastSteps}/{@code forecastDt} (smooth's {@code --forecast-steps}/{@code --forecast-dt});
   * the double dt is taken as the shortest decimal that prints it ({@code 0.1} is 0.1 s exactly).
   *
   * @throws IllegalArgumentException one line naming the parameter
   */
  static ForecastTimes forecast(SmoothingParams<?> p, ModelSpec spec) {
    Double dt = p.getForecastDt();
    String dtText = dt == null ? null : java.math.BigDecimal.valueOf(dt).toPlainString();
    return ForecastTimes.of(p.getForecastSteps(), dtText, spec, p.uid() + ": forecastSteps", "forecastDt");
  }

  /**
   * The output choice of {@code smooth --covariances/--no-filtered/--outputs} from the parameters of the same names:
   * {@code covariances} full, std or none, {@code filtered} false as {@code --no-filtered}, {@code outputs}.
   *
   * @throws IllegalArgumentException naming the parameter, for a value that is none of the three (a guard: the
   *     param's validator already refuses such a value when it is set)
   */
  static OutputChoice outputChoice(SmoothingParams<?> p) {
    String covariances = p.getCovariances();
    OutputChoice choice;
    try {
      choice = OutputChoice.parse(covariances, !p.getFiltered());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(p.uid() + ": parameter covariances given invalid value " + covariances
          + "; must be full, std or none");
    }
    try {
      return choice.withOutputs(p.getOutputs());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(p.uid() + ": parameter outputs given invalid value "
          + Arrays.toString(p.getOutputs()) + "; must be any of predicted, smoothed_obs, diagnostics");
    }
  }

  /** As smooth --backend gpu: a model the kernels cover, and a device (local mode) or GPU scheduling (cluster). */
  private static void checkGpu(ModelSpec spec, SparkConf conf) {
    Families.refusal(spec.model(), Family.Capability.GPU).ifPresent(reason -> {
      throw new IllegalArgumentException("backend gpu: " + reason);
    });
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local")) {
      DeviceProbe probe = DeviceProbe.detect();
      if (!probe.available()) throw new IllegalArgumentException("backend gpu: no usable CUDA device: " + probe.reason());
    } else if (!conf.contains("spark.executor.resource.gpu.amount")) {
      throw new IllegalArgumentException("backend gpu on " + master + ": set spark.executor.resource.gpu.amount (with a "
          + "GPU discovery script) so that executors get a GPU, or use backend auto");
    }
  }

  /** The exact output schema of {@code transform}; validates the parameters and the input's columns. */
  static StructType schema(SmoothingParams<?> p, StructType input) {
    ModelSpec spec = spec(p);
    OutputChoice outputs = outputChoice(p);
    EngineChoice.parse(p.getEngine());
    RowwiseSmoothing.Invalid.parse(p.getHandleInvalid());
    return RowwiseSmoothing.schema(input, spec.columns(), outputs, forecast(p, spec).active());
  }

  static Dataset<Row> transform(SmoothingParams<?> p, Dataset<?> dataset) {
    schema(p, dataset.schema());
    SparkSession spark = dataset.sparkSession();
    return RowwiseSmoothing.transform(spark, dataset.toDF(), settings(p, spark),
        RowwiseSmoothing.Invalid.parse(p.getHandleInvalid()));
  }

  static SmoothResult smooth(SmoothingParams<?> p, Dataset<?> dataset) {
    long start = System.nanoTime();
    SparkSession spark = dataset.sparkSession();
    SmoothSettings settings = settings(p, spark);
    SmoothCore core = SmoothCore.run(spark, InputSource.of(dataset.toDF(), spec(p).columns()), settings);
    try {
      return new SmoothResult(core, core.report(start, null));
    } catch (RuntimeException e) {
      core.close();
      throw e;
    }
  }

  private static List<String> list(String[] names) {
    return names == null ? null : Arrays.asList(names);
  }
}
