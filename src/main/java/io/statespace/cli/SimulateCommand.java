package io.statespace.cli;

import io.statespace.family.ConstantVelocityFamily;
import io.statespace.family.Families;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.simulate.ProjectileScenario;
import io.statespace.simulate.SimulatedTrajectory;
import io.statespace.spark.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code simulate}: writes long-format CSV trajectories, either drawn from a model file or from the
 * projectile scenario (thrown objects under gravity). Deterministic for a given seed.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Generate trajectories as long-format CSV (model draws or the projectile scenario).")
public final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file; its columns name the CSV columns.")
  Path model;

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "CSV file to write (a name ending in .parquet, .orc or .json is refused).")
  Path output;

  @Option(names = "--scenario", defaultValue = "model", paramLabel = "S", description = "model or projectile (default: ${DEFAULT-VALUE}).")
  String scenario;

  @Option(names = "--trajectories", defaultValue = "100", paramLabel = "N", description = "Number of trajectories (default: ${DEFAULT-VALUE}).")
  int trajectories;

  @Option(names = "--steps", defaultValue = "100", paramLabel = "T", description = "Steps per trajectory (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dt", paramLabel = "DT", description = "Time step (default: the model's dt, else 1).")
  Double dt;

  @Option(names = "--gap", defaultValue = "0", paramLabel = "P", description = "Probability of skipping each step in time: irregular sampling (default: ${DEFAULT-VALUE}).")
  double gap;

  @Option(names = "--missing", defaultValue = "0", paramLabel = "P", description = "Fraction of steps with no observation (default: ${DEFAULT-VALUE}).")
  double missing;

  @Option(names = "--partial-missing", defaultValue = "0", paramLabel = "P", description = "Fraction of steps with one component missing (default: ${DEFAULT-VALUE}).")
  double partialMissing;

  @Option(names = "--gravity", defaultValue = "9.81", paramLabel = "G", description = "Projectile scenario: gravity (default: ${DEFAULT-VALUE}).")
  double gravity;

  @Option(names = "--vx-range", split = ",", defaultValue = "2,10", paramLabel = "LO,HI", description = "Projectile scenario: initial horizontal speed range (default: ${DEFAULT-VALUE}).")
  double[] vxRange;

  @Option(names = "--vy-range", split = ",", defaultValue = "5,15", paramLabel = "LO,HI", description = "Projectile scenario: initial vertical speed range (default: ${DEFAULT-VALUE}).")
  double[] vyRange;

  @Option(names = "--grid", defaultValue = "0", paramLabel = "N", description = "Projectile scenario: an N x N grid of initial velocities over the ranges instead of random draws; --trajectories is then N*N*--repeats.")
  int grid;

  @Option(names = "--repeats", defaultValue = "1", paramLabel = "S", description = "Projectile scenario with --grid: noise draws per grid point (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--noise-std", split = ",", paramLabel = "SX,SY", description = "Projectile scenario: true measurement noise per axis (default: the model file's measurement_std).")
  double[] noiseStd;

  @Option(names = "--id-prefix", defaultValue = "traj-", paramLabel = "P", description = "Prefix of generated ids (default: ${DEFAULT-VALUE}).")
  String idPrefix;

  @Option(names = "--with-states", description = "Also write the true states (columns true_state_0...).")
  boolean withStates;

  @Option(names = "--overwrite", description = "Replace an existing output file (never the model file).")
  boolean overwrite;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(model)) throw new ConfigException("--model: no such file " + model);
    ModelSpec spec = ModelSpec.read(model);
    if (io.statespace.model.DiffusePrior.isDiffuse(spec.model())) {
      throw new ConfigException("initial.diffuse: simulate draws x_0 from the initial state, and a diffuse one has no "
          + "distribution to draw from; give initial.mean and initial.cov");
    }
    Columns columns = spec.columns();
    if (columns.observations().isEmpty()) throw new ConfigException("columns.observations: the model file must name them");
    if (grid > 0) {
      if (!scenario.equals("projectile")) throw new ConfigException("--grid: only with --scenario projectile");
      if (repeats < 1) throw new ConfigException("--repeats must be at least 1");
      trajectories = grid * grid * repeats;
    }
    if (trajectories < 1 || steps < 1) throw new ConfigException("--trajectories and --steps must be at least 1");
    AtomicOutput.checkDisjoint("--output", output.toAbsolutePath().normalize().toUri().toString(), new Configuration(),
        model.toAbsolutePath().normalize().toUri().toString());
    if (Files.isDirectory(output)) throw new ConfigException("--output: " + output + " is a directory; simulate writes one CSV file");
    String named = InputOptions.formatOf(output.toString());
    if (!named.equals("csv")) {
      throw new ConfigException("--output: " + output + " is named as " + named + ", but simulate writes CSV only: name it .csv"
          + " (smooth and fit read it; their --output-format writes " + named + ")");
    }
    if (Files.exists(output) && !overwrite) throw new ConfigException("--output: " + output + " exists (pass --overwrite)");
    MissingPattern pattern;
    try {
      pattern = new MissingPattern(missing, partialMissing);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--missing/--partial-missing: " + e.getMessage());
    }
    int n = spec.model().stateDim();
    List<String> stateColumns = new ArrayList<>();
    if (withStates) {
      for (int i = 0; i < n; i++) stateColumns.add("true_state_" + i);
    }
    SplittableRandom root = new SplittableRandom(seed);
    int width = String.valueOf(trajectories - 1).length();
    Generator generator = generator(spec, pattern);
    long rows;
    try (CsvSink sink = new CsvSink(output, columns.id(), columns.time(), columns.observations(), columns.inputs(), stateColumns)) {
      for (int k = 0; k < trajectories; k++) {
        String id = idPrefix + String.format("%0" + width + "d", k);
        sink.write(generator.generate(k, id, steps, root.split()));
      }
      rows = sink.rows();
    }
    System.out.println("simulate: wrote " + trajectories + " trajectories, " + rows + " rows to " + output);
    return 0;
  }

  /** The k-th trajectory from its id, a length and its own random stream. */
  private interface Generator {
    SimulatedTrajectory generate(int k, String id, int steps, SplittableRandom rng);
  }

  private Generator generator(ModelSpec spec, MissingPattern pattern) {
    switch (scenario) {
      case "model": {
        double fixed = Families.of(spec.model()).fixedDt(spec.model());
        double step = dt != null ? dt : Double.isNaN(fixed) ? 1.0 : fixed;
        try {
          ModelScenario s = new ModelScenario(spec.model(), step, gap, pattern);
          return (k, id, n, rng) -> s.generate(id, n, rng);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(e.getMessage());
        }
      }
      case "projectile": {
        ConstantVelocityModel cv;
        try {
          cv = ConstantVelocityFamily.planar(spec.model());
        } catch (IllegalArgumentException e) {
          throw new ConfigException("--scenario projectile: " + e.getMessage());
        }
        double step = dt != null ? dt : cv.hasFixedDt() ? cv.fixedDt() : 0.1;
        if (vxRange.length != 2 || vyRange.length != 2) throw new ConfigException("--vx-range/--vy-range: give LO,HI");
        double[] std = noiseStd != null ? noiseStd : cv.measurementStd();
        if (std.length != 2) throw new ConfigException("--noise-std: give SX,SY");
        ProjectileScenario s = new ProjectileScenario(step, gravity, std, vxRange, vyRange, pattern);
        if (grid == 0) return (k, id, n, rng) -> s.generate(id, n, rng);
        return (k, id, n, rng) -> {
          int cell = k / repeats;
          double vx = vxRange[0] + (vxRange[1] - vxRange[0]) * (cell % grid) / Math.max(1, grid - 1);
          double vy = vyRange[0] + (vyRange[1] - vyRange[0]) * (cell / grid) / Math.max(1, grid - 1);
          return s.generate(id, n, vx, vy, rng);
        };
      }
      default:
        throw new ConfigException("--scenario: must be model or projectile, got '" + scenario + "'");
    }
  }
}
