package io.statespace.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sample} job: K draws per trajectory from the joint smoothing distribution, written as
 * {@code DIR/samples/} (one row per input row and draw), {@code DIR/quarantine/}, {@code DIR/report.json} and
 * {@code DIR/model.json}, committed atomically like {@code smooth}'s output ({@link AtomicOutput}). The input is
 * read, validated and grouped by the smooth job's code; the job counts its input independently and refuses to
 * commit unless rows in = rows sampled + rows quarantined and the sample rows written = rows sampled × K
 * ({@link SampleCore#report}).
 */
public final class SampleJob {
  private static final Logger LOG = LoggerFactory.getLogger(SampleJob.class);

  private SampleJob() {}

  /** The job, committing nothing when more rows than {@code limit} allows are quarantined. */
  public static SampleReport run(SparkSession spark, SampleSettings s, QuarantineLimit limit) {
    long start = System.nanoTime();
    Provenance provenance = Provenance.start(spark, "sample", s.input(), s.format(), s.spec().toJson(), options(s, limit));
    SampleCore.checkNames(s.spec().columns());
    InputSource source = InputSource.read(spark, s.input(), s.format(), s.spec().columns());
    LOG.info("sample: {} draws per trajectory, seed {}; forward filtering (sequential), backward sampling; long "
        + "trajectories are sampled in one task; writing {}", s.draws(), s.seed(), s.output());
    AtomicOutput out = AtomicOutput.open(s.output(), s.overwrite(), spark.sparkContext().hadoopConfiguration(), s.input());
    provenance = provenance.withSweep(out.sweep()).withDecision("engine",
        "sequential Kalman filter, then backward sampling (one task per trajectory; no segmented path)");
    SampleCore core = null;
    boolean committed = false;
    try {
      core = SampleCore.run(spark, source, s);
      LOG.info("sample: {} input rows counted", core.rowsIn());
      spark.sparkContext().setJobDescription("sample: read, parse, group, sample and write samples");
      SmoothJob.write(core.samples(s.outputFormat().equals("csv")), s.outputFormat(), out.part("samples"));
      spark.sparkContext().setJobDescription("sample: sample again and write quarantine");
      SmoothJob.write(core.quarantine(), s.outputFormat(), out.part("quarantine"));
      SampleReport report = core.report(start, out.target()).with(provenance.end());
      limit.check("sample", report.rowsIn(), report.rowsQuarantined(), report.quarantineByReason());
      out.writeText("report.json", report.toJson());
      out.writeText(Provenance.MODEL_FILE, s.spec().toJson());
      out.commit();
      committed = true;
      LOG.info("sample: {}", report.accountingLine());
      return report;
    } finally {
      if (!committed) out.abortQuietly();
      if (core != null) core.close();
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** The options of a {@code sample} run, by flag name (report.json's provenance). */
  private static Map<String, Object> options(SampleSettings s, QuarantineLimit limit) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("output", s.output());
    o.put("output_format", s.outputFormat());
    o.put("partitions", s.partitions());
    o.put("overwrite", s.overwrite());
    o.put("draws", s.draws());
    o.put("seed", s.seed());
    o.put("max_quarantined_fraction", limit.maxFraction());
    return o;
  }
}
