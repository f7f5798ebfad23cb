package io.statespace.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.BuildInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;

/**
 * Where a run's output came from, for report.json's {@code provenance}: the input as given and its format,
 * the whole model file the run used (after command-line overrides, as JSON), the options, the engine and
 * backend decisions, the project's version as built ({@link BuildInfo}) and Spark's, and the start and end
 * times (ISO-8601, UTC). It also carries what opening the output did with the staging directories of earlier,
 * killed runs ({@link StagingSweep}), reported as {@code stale_staging}. Immutable; the job adds its
 * decisions and end time with the {@code with...} methods.
 */
public record Provenance(String job, String input, String format, String modelJson, Map<String, Object> options,
    Map<String, String> decisions, String version, String sparkVersion, Instant started, Instant ended,
    StagingSweep.Result sweep) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The copy of the model file a {@code smooth} output carries (so that {@code plot} needs no --model). */
  public static final String MODEL_FILE = "model.json";

  public Provenance {
    Objects.requireNonNull(job);
    Objects.requireNonNull(modelJson);
    options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    decisions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(decisions));
  }

  /** A run of {@code job} starting now in {@code spark}. */
  static Provenance start(SparkSession spark, String job, String input, String format, String modelJson,
      Map<String, Object> options) {
    return new Provenance(job, input, format, modelJson, options, Map.of(), BuildInfo.version(), spark.version(),
        Instant.now(), null, null);
  }

  /** The options of a {@code smooth} run, by flag name. */
  static Map<String, Object> options(SmoothSettings s, QuarantineLimit limit) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("output", s.output);
    o.put("output_format", s.outputFormat);
    o.put("engine", s.engine.label());
    o.put("backend", s.backend.option().label());
    o.put("threads", s.threads);
    o.put("partitions", s.partitions);
    o.put("overwrite", s.overwrite);
    o.put("max_quarantined_fraction", limit.maxFraction());
    o.put("forecast_steps", s.forecast.steps());
    if (s.forecast.active()) o.put("forecast_dt", s.forecast.dt().toPlainString());
    return o;
  }

  /** The options of a {@code fit} run, by flag name. */
  static Map<String, Object> options(FitSettings s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("output", s.paths().output());
    o.put("output_format", s.paths().outputFormat());
    o.put("partitions", s.paths().partitions());
    o.put("overwrite", s.paths().overwrite());
    o.put("loss", s.objective().loss().key());
    o.put("dropout", s.objective().dropout());
    o.put("seed", s.objective().seed());
    o.put("feedback", s.objective().feedback());
    o.put("optimizer", s.search().method().key);
    o.put("max_iter", s.search().stopRules().maxIterations());
    o.put("tolerance", s.search().stopRules().gradientTolerance());
    o.put("relative_tolerance", s.search().stopRules().relativeLossTolerance());
    o.put("learning_rate", s.search().learningRate());
    o.put("engine", s.search().smoother().name().toLowerCase(java.util.Locale.ROOT));
    o.put("resume", s.extras().resume());
    o.put("restart", s.extras().restart());
    o.put("standard_errors", s.extras().standardErrors());
    o.put("curvature", s.extras().curvature());
    o.put("max_quarantined_fraction", s.extras().quarantineLimit().maxFraction());
    return o;
  }

  /** With one more decision (e.g. "engine" → why it was chosen). */
  Provenance withDecision(String what, String decision) {
    Map<String, String> d = new LinkedHashMap<>(decisions);
    d.put(what, decision);
    return new Provenance(job, input, format, modelJson, options, d, version, sparkVersion, started, ended, sweep);
  }

  /** With what the output's staging sweep did. */
  Provenance withSweep(StagingSweep.Result result) {
    return new Provenance(job, input, format, modelJson, options, decisions, version, sparkVersion, started, ended, result);
  }

  /** Ended now. */
  Provenance end() {
    return new Provenance(job, input, format, modelJson, options, decisions, version, sparkVersion, started, Instant.now(),
        sweep);
  }

  /** The {@code provenance} object of report.json. */
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", job);
    m.put("version", version);
    m.put("spark_version", sparkVersion);
    m.put("started_at", started.toString());
    m.put("ended_at", ended == null ? null : ended.toString());
    m.put("input", input);
    m.put("input_format", format);
    m.put("options", options);
    m.put("decisions", decisions);
    m.put("model", model());
    return m;
  }

  /** The {@code stale_staging} object of report.json: staging directories of killed runs removed and left alone. */
  Map<String, List<String>> sweepMap() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("removed", sweep == null ? List.of() : sweep.removed());
    m.put("left_alone", sweep == null ? List.of() : sweep.kept());
    return m;
  }

  private JsonNode model() {
    try {
      return JSON.readTree(modelJson);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the model file written by ModelSpecWriter is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
