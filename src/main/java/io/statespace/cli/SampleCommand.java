package io.statespace.cli;

import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.QuarantineLimit;
import io.statespace.spark.SampleJob;
import io.statespace.spark.SampleReport;
import io.statespace.spark.SampleSettings;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sample}: K joint draws per trajectory from the smoothing distribution p(x_0..x_{T-1} | y). */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = "Draw K state paths per trajectory from the joint smoothing distribution (forward filtering, backward "
        + "sampling); write samples/, quarantine/ and report.json.")
public final class SampleCommand implements Callable<Integer> {
  @Mixin
  InputOptions in;

  @Mixin
  OutputOptions out;

  @Mixin
  QuarantineOption quarantine;

  @Option(names = "--draws", required = true, paramLabel = "K", description = "Draws per trajectory (at least 1).")
  int draws;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed: draw d of trajectory k depends on (S, k's id, d) only (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    ModelSpec spec = in.spec();
    String format = in.format();
    InputOptions.checkFormat("--format", format);
    String outFormat = out.format(format);
    if (draws < 1) throw new ConfigException("--draws must be at least 1, got " + draws);
    String refusal = SampleSettings.refusal(spec);
    if (refusal != null) throw new ConfigException(refusal);
    QuarantineLimit limit = quarantine.limit();
    out.check(in.input, in.modelUri());
    SampleSettings settings = new SampleSettings(in.input, format, out.output, outFormat, spec, out.partitions,
        out.overwrite, draws, seed);
    SparkSession spark = SparkSessions.start("statespace sample", in.master);
    try {
      SampleReport report = SampleJob.run(spark, settings, limit);
      System.out.println("sample: " + report.accountingLine());
      System.out.println("sample: wrote " + report.output() + " in " + String.format("%.1f", report.seconds()) + " s");
      return 0;
    } finally {
      SparkSessions.stop(spark);
    }
  }
}
