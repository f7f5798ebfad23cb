package io.statespace.gpu.build;

import io.statespace.gpu.PtxModules;
import io.statespace.gpu.PtxModules.Manifest;
import io.statespace.gpu.PtxModules.Shape;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Where the shipped PTX comes from, and whether it is still what its CUDA source compiles to.
 *
 * <p>The PTX modules (one per shape of {@code src/main/cuda/shapes.txt}) are committed under
 * {@code src/main/resources/io/statespace/gpu/ptx/} as gzip files, because machines without nvcc must still
 * build a working jar. Each module's first line and the directory's {@code MANIFEST.txt} record the SHA-256
 * of the CUDA sources and the nvcc flags they were built from ({@link #sourceHash}). {@link #check} recomputes
 * that hash and reports the PTX stale when the sources, the shape list or the flags changed; the Maven build
 * runs it in every build (process-resources phase), so a stale PTX fails the build instead of shipping.
 * {@link #build} runs nvcc for every shape and rewrites the modules and the manifest (the Maven profile
 * {@code cuda} does so when nvcc is on the PATH and the PTX is stale).
 *
 * <p>A build-time program, not part of the runtime: it depends on the JDK and on {@link PtxModules} (the
 * formats the runtime reads) only, and Maven compiles the two with javac and runs it
 * ({@code java -cp target/ptx-tool io.statespace.gpu.build.PtxProvenance check ...}) before the project is
 * compiled.
 */
public final class PtxProvenance {
  /** The CUDA translation unit compiled once per shape. */
  public static final String MAIN_SOURCE = "statespace.cu";
  /** The shape list inside the CUDA source directory. */
  public static final String SHAPES_FILE = "shapes.txt";
  /** Exit code of {@code check} when the PTX is stale. */
  public static final int EXIT_STALE = 3;

  private PtxProvenance() {}

  /** The shapes listed in {@code cudaDir/shapes.txt}. */
  public static List<Shape> readShapes(Path cudaDir) throws IOException {
    return PtxModules.parseShapes(Files.readAllLines(cudaDir.resolve(SHAPES_FILE), StandardCharsets.UTF_8));
  }

  /**
   * SHA-256 (hex) of the CUDA sources and the flags: for every {@code *.cu}, {@code *.cuh} and shapes.txt
   * file of {@code cudaDir} in name order, "file NAME\nLENGTH\n" and its bytes; then "flags FLAGS\n".
   * Documentation (README.md) and the ptxas report are not part of it.
   */
  public static String sourceHash(Path cudaDir, String flags) throws IOException {
    List<Path> files = new ArrayList<>();
    try (var stream = Files.list(cudaDir)) {
      stream.filter(p -> isSource(p.getFileName().toString())).forEach(files::add);
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    MessageDigest digest = sha256();
    for (Path f : files) {
      byte[] content = Files.readAllBytes(f);
      digest.update(("file " + f.getFileName() + "\n" + content.length + "\n").getBytes(StandardCharsets.UTF_8));
      digest.update(content);
    }
    digest.update(("flags " + normalizeFlags(flags) + "\n").getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest.digest());
  }

  private static boolean isSource(String name) {
    return name.endsWith(".cu") || name.endsWith(".cuh") || name.equals(SHAPES_FILE);
  }

  /** Flags with runs of white space collapsed, so that pom formatting does not change the hash. */
  public static String normalizeFlags(String flags) {
    return flags.strip().replaceAll("\\s+", " ");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first line of a module: shape, source hash, flags and compiler. */
  public static String header(Shape shape, String hash, String flags, String nvcc) {
    return PtxModules.HEADER_PREFIX + "shape=" + shape.name() + " source-sha256=" + hash + " nvcc=" + nvcc.replace(' ', '_')
        + " flags=" + normalizeFlags(flags);
  }

  /** Manifest text for a set of modules. */
  public static String manifestText(String hash, String flags, String nvcc, List<Shape> shapes) {
    StringBuilder sb = new StringBuilder();
    sb.append("# statespace PTX modules, written by io.statespace.gpu.build.PtxProvenance build; do not edit.\n");
    sb.append("source-sha256 ").append(hash).append('\n');
    sb.append("flags ").append(normalizeFlags(flags)).append('\n');
    sb.append("nvcc ").append(nvcc).append('\n');
    for (Shape s : shapes) sb.append("shape ").append(s).append('\n');
    return sb.toString();
  }

  /** The first line of a gzip-compressed module. */
  public static String firstLine(Path gz) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)),
        StandardCharsets.UTF_8))) {
      String line = r.readLine();
      return line == null ? "" : line;
    }
  }

  /**
   * Compares the shipped PTX in {@code ptxDir} with the sources in {@code cudaDir} and the flags.
   *
   * @return the problems found; empty when the PTX is current
   */
  public static List<String> check(Path cudaDir, Path ptxDir, String flags) throws IOException {
    List<String> problems = new ArrayList<>();
    String hash = sourceHash(cudaDir, flags);
    List<Shape> shapes = readShapes(cudaDir);
    Path manifestFile = ptxDir.resolve(PtxModules.MANIFEST);
    if (!Files.exists(manifestFile)) {
      problems.add("no " + manifestFile + ": the PTX was never built");
      return problems;
    }
    Manifest manifest = PtxModules.parseManifest(Files.readAllLines(manifestFile, StandardCharsets.UTF_8));
    if (!manifest.flags().equals(normalizeFlags(flags))) {
      problems.add("nvcc flags changed: the PTX was built with '" + manifest.flags() + "', the build now uses '"
          + normalizeFlags(flags) + "'");
    }
    if (!manifest.sourceHash().equals(hash)) {
      problems.add("the CUDA sources in " + cudaDir + " changed since the PTX was built (source-sha256 "
          + manifest.sourceHash().substring(0, 12) + "... recorded, " + hash.substring(0, 12) + "... now)");
    }
    if (!manifest.shapes().equals(shapes)) {
      problems.add("the manifest lists shapes " + manifest.shapes() + " but " + SHAPES_FILE + " lists " + shapes);
    }
    for (Shape s : shapes) {
      Path f = ptxDir.resolve(s.fileName());
      if (!Files.exists(f)) {
        problems.add("missing module " + f);
        continue;
      }
      String line = firstLine(f);
      if (!hash.equals(PtxModules.headerHash(line)) || !s.name().equals(PtxModules.headerShape(line))) {
        problems.add("module " + f.getFileName() + " was not built from the current sources (header: " + line + ")");
      }
    }
    return problems;
  }

  /** The nvcc executable: an explicit path, else $CUDA_HOME/bin/nvcc, else the first nvcc on the PATH; or null. */
  public static Path findNvcc(String explicit) {
    if (explicit != null && !explicit.isBlank()) return Paths.get(explicit);
    String home = System.getenv("CUDA_HOME");
    if (home != null && Files.isExecutable(Paths.get(home, "bin", "nvcc"))) return Paths.get(home, "bin", "nvcc");
    String path = System.getenv("PATH");
    if (path == null) return null;
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path candidate = Paths.get(dir, "nvcc");
      if (Files.isExecutable(candidate)) return candidate;
    }
    return null;
  }

  /**
   * Compiles every shape with nvcc into {@code ptxDir} (gzip, with the provenance header), writes the
   * manifest, and, when {@code report} is not null, the ptxas resource report for sm_90 (registers, stack
   * frame and spills per kernel).
   */
  public static void build(Path cudaDir, Path ptxDir, String flags, Path nvcc, Path report, int jobs)
      throws IOException, InterruptedException {
    String hash = sourceHash(cudaDir, flags);
    List<Shape> shapes = readShapes(cudaDir);
    String version = nvccVersion(nvcc);
    Files.createDirectories(ptxDir);
    Path work = Files.createTempDirectory("statespace-ptx-");
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
    try {
      List<Future<String>> results = new ArrayList<>();
      for (Shape s : shapes) {
        results.add(pool.submit(() -> compile(cudaDir, work, s, flags, nvcc, hash, version, ptxDir, report != null)));
      }
      StringBuilder table = new StringBuilder();
      for (Future<String> f : results) {
        try {
          table.append(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IOException("nvcc failed: " + e.getCause().getMessage(), e.getCause());
        }
      }
      try (var stream = Files.list(ptxDir)) {
        for (Path old : (Iterable<Path>) stream::iterator) {
          String name = old.getFileName().toString();
          boolean listed = shapes.stream().anyMatch(s -> s.fileName().equals(name));
          if (name.endsWith(".ptx.gz") && !listed) Files.delete(old);
        }
      }
      Files.writeString(ptxDir.resolve(PtxModules.MANIFEST), manifestText(hash, flags, version, shapes), StandardCharsets.UTF_8);
      if (report != null) {
        String head = "# ptxas -arch=sm_90 -v over the shipped PTX (" + version + ", flags " + normalizeFlags(flags)
            + ").\n# Written by PtxProvenance build; the JIT on a Hopper GPU compiles the same PTX.\n"
            + String.format(Locale.ROOT, "%-10s %-28s %9s %12s %12s %11s %8s%n", "module", "kernel", "registers", "stack_bytes",
                "spill_stores", "spill_loads", "smem");
        Files.writeString(report, head + table, StandardCharsets.UTF_8);
      }
    } finally {
      pool.shutdownNow();
      deleteTree(work);
    }
  }

  private static String compile(Path cudaDir, Path work, Shape s, String flags, Path nvcc, String hash,
      String version, Path ptxDir, boolean report) throws IOException, InterruptedException {
    Path ptx = work.resolve(s.name() + ".ptx");
    List<String> cmd = new ArrayList<>();
    cmd.add(nvcc.toString());
    cmd.add("-ptx");
    cmd.addAll(Arrays.asList(normalizeFlags(flags).split(" ")));
    cmd.add("-DSS_KIND=" + s.kind());
    cmd.add("-DSS_N=" + s.stateDim());
    cmd.add("-DSS_M=" + s.obsDim());
    cmd.add("-o");
    cmd.add(ptx.toString());
    cmd.add(cudaDir.resolve(MAIN_SOURCE).toString());
    run(cmd);
    byte[] body = Files.readAllBytes(ptx);
    Path tmp = ptxDir.resolve(s.fileName() + ".tmp");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp))) {
      out.write((header(s, hash, flags, version) + "\n").getBytes(StandardCharsets.UTF_8));
      out.write(body);
    }
    Files.move(tmp, ptxDir.resolve(s.fileName()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("ptx: built " + s.fileName() + " (" + body.length + " bytes of PTX)");
    if (!report) return "";
    Path ptxas = nvcc.resolveSibling("ptxas");
    String out = run(List.of(ptxas.toString(), "-arch=sm_90", "-v", ptx.toString(), "-o",
        work.resolve(s.name() + ".cubin").toString()));
    return resourceTable(s.name(), out);
  }

  /** Turns ptxas -v output into one line per kernel, prefixed by the module. */
  public static String resourceTable(String module, String ptxasOutput) {
    StringBuilder sb = new StringBuilder();
    Pattern entry = Pattern.compile("Compiling entry function '([^']+)'");
    Pattern frame = Pattern.compile("(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
    Pattern regs = Pattern.compile("Used (\\d+) registers(?:.*?(\\d+) bytes smem)?");
    String kernel = null;
    String[] f = null;
    for (String line : ptxasOutput.split("\n")) {
      Matcher m = entry.matcher(line);
      if (m.find()) {
        kernel = m.group(1);
        f = null;
        continue;
      }
      m = frame.matcher(line);
      if (m.find()) {
        f = new String[] {m.group(1), m.group(2), m.group(3)};
        continue;
      }
      m = regs.matcher(line);
      if (m.find() && kernel != null) {
        String smem = m.group(2) == null ? "0" : m.group(2);
        sb.append(String.format(Locale.ROOT, "%-10s %-28s %9s %12s %12s %11s %8s%n", module, kernel, m.group(1),
            f == null ? "0" : f[0], f == null ? "0" : f[1], f == null ? "0" : f[2], smem));
        kernel = null;
      }
    }
    return sb.toString();
  }

  private static String nvccVersion(Path nvcc) throws IOException, InterruptedException {
    String out = run(List.of(nvcc.toString(), "--version"));
    Matcher m = Pattern.compile("release [0-9.]+, V[0-9.]+").matcher(out);
    return m.find() ? m.group() : "unknown";
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(buf);
    }
    int rc = p.waitFor();
    String out = buf.toString(StandardCharsets.UTF_8);
    if (rc != 0) throw new IOException(String.join(" ", cmd) + " exited with " + rc + ":\n" + out);
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var stream = Files.walk(dir)) {
      List<Path> all = new ArrayList<>();
      stream.forEach(all::add);
      for (int i = all.size() - 1; i >= 0; i--) Files.deleteIfExists(all.get(i));
    }
  }

  /**
   * {@code check CUDA_DIR PTX_DIR FLAGS}: exit 0 when current, {@value #EXIT_STALE} when stale.
   * {@code build CUDA_DIR PTX_DIR FLAGS [--if-stale] [--report FILE] [--nvcc PATH] [--jobs N]}: compile with
   * nvcc; with --if-stale only when the check fails, and without an nvcc only a notice (exit 0).
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 4 || !(args[0].equals("check") || args[0].equals("build"))) {
      System.err.println("usage: PtxProvenance check CUDA_DIR PTX_DIR FLAGS\n"
          + "       PtxProvenance build CUDA_DIR PTX_DIR FLAGS [--if-stale] [--report FILE] [--nvcc PATH] [--jobs N]");
      System.exit(2);
    }
    Path cudaDir = Paths.get(args[1]);
    Path ptxDir = Paths.get(args[2]);
    String flags = args[3];
    if (args[0].equals("check")) {
      List<String> problems = check(cudaDir, ptxDir, flags);
      if (problems.isEmpty()) {
        System.out.println("ptx: the shipped PTX in " + ptxDir + " is current (source-sha256 "
            + sourceHash(cudaDir, flags).substring(0, 12) + "...)");
        return;
      }
      System.err.println("ptx: STALE PTX in " + ptxDir + ":");
      for (String p : problems) System.err.println("  - " + p);
      System.err.println("Rebuild it on a machine with nvcc (mvn -Pcuda process-resources, or see src/main/cuda/README.md)"
          + " and commit " + ptxDir + ".");
      System.exit(EXIT_STALE);
    }
    boolean ifStale = false;
    Path report = null;
    String nvccArg = null;
    int jobs = 1;
    for (int i = 4; i < args.length; i++) {
      switch (args[i]) {
        case "--if-stale" -> ifStale = true;
        case "--report" -> report = Paths.get(args[++i]);
        case "--nvcc" -> nvccArg = args[++i];
        case "--jobs" -> jobs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (ifStale && check(cudaDir, ptxDir, flags).isEmpty()) {
      System.out.println("ptx: up to date, nvcc not run");
      return;
    }
    Path nvcc = findNvcc(nvccArg);
    if (nvcc == null) {
      System.out.println("ptx: nvcc not found on the PATH (nor in $CUDA_HOME/bin): keeping the shipped PTX;"
          + " the staleness check decides whether it is current");
      return;
    }
    build(cudaDir, ptxDir, flags, nvcc, report, jobs);
  }
}
