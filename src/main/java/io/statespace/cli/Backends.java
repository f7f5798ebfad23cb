package io.statespace.cli;

import io.statespace.execution.BackendOption;
import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.gpu.DeviceProbe;
import io.statespace.model.StateSpaceModel;
import org.apache.spark.SparkConf;

/**
 * {@code --backend} checked before Spark starts: {@code gpu} with no device (local mode), with a model the
 * kernels do not cover, or on a cluster without Spark GPU scheduling is a clear error (exit 2), never a
 * silent fallback. Where each block then runs is decided per task by the job.
 */
final class Backends {
  private Backends() {}

  /** The validated option for {@code smooth}. */
  static String forSmooth(String option, StateSpaceModel model, String master) {
    String o = parse(option);
    if (!o.equals("gpu")) return o;
    Families.refusal(model, Family.Capability.GPU).ifPresent(reason -> {
      throw new ConfigException("--backend gpu: " + reason);
    });
    SparkConf conf = new SparkConf(true);
    String where = master != null ? master : conf.get("spark.master", "local[*]");
    if (where.startsWith("local")) {
      DeviceProbe probe = DeviceProbe.detect();
      if (!probe.available()) throw new ConfigException("--backend gpu: no usable CUDA device: " + probe.reason());
    } else if (!conf.contains("spark.executor.resource.gpu.amount")) {
      throw new ConfigException("--backend gpu on " + where + ": set spark.executor.resource.gpu.amount (with a GPU "
          + "discovery script) so that executors get a GPU, or use --backend auto");
    }
    return o;
  }

  /** The validated option for {@code fit}: its exact gradients are computed on the CPU. */
  static String forFit(String option) {
    String o = parse(option);
    if (o.equals("gpu")) {
      throw new ConfigException("--backend gpu: fit computes its exact gradients with the adjoint filter on the CPU; "
          + "use --backend cpu or auto");
    }
    return o;
  }

  private static String parse(String option) {
    try {
      return BackendOption.parse(option).label();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
