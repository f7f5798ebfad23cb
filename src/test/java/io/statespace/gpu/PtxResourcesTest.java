package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.PtxModules.Manifest;
import io.statespace.gpu.PtxModules.Shape;
import io.statespace.gpu.build.PtxProvenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped PTX: present on the classpath for every shape, current with respect to src/main/cuda and
 * the pom's nvcc flags, with kernel signatures equal to the Java side's ({@link Kernels}); and the
 * staleness check itself, which must notice a changed source, changed flags, a changed shape list or a
 * missing module, and must fail the Maven build (exit code 3 of the program the pom compiles and runs).
 */
class PtxResourcesTest {
  private static final Path CUDA = Paths.get("src/main/cuda");
  private static final Path PTX = Paths.get("src/main/resources", PtxModules.RESOURCE_DIR);

  private static String flags() {
    String f = System.getProperty("cuda.nvcc.flags");
    assertNotNull(f, "surefire passes the pom's cuda.nvcc.flags as a system property");
    return f;
  }

  @Test
  void shippedPtxIsCurrent() throws IOException {
    assertEquals(List.of(), PtxProvenance.check(CUDA, PTX, flags()));
  }

  @Test
  void everyShapeIsOnTheClasspathWithItsProvenance() throws IOException {
    Manifest manifest = PtxModules.classpathManifest();
    assertEquals(PtxProvenance.readShapes(CUDA), manifest.shapes());
    assertEquals(PtxProvenance.sourceHash(CUDA, flags()), manifest.sourceHash());
    assertTrue(manifest.nvcc().startsWith("release "), manifest.nvcc());
    for (Shape s : manifest.shapes()) {
      String ptx = PtxModules.classpathModule(s);
      assertNotNull(ptx, s.fileName());
      String header = ptx.substring(0, ptx.indexOf('\n'));
      assertEquals(manifest.sourceHash(), PtxModules.headerHash(header));
      assertEquals(s.name(), PtxModules.headerShape(header));
      assertTrue(ptx.contains(".target sm_80"), s + ": built for compute_80");
      assertTrue(ptx.contains(".address_size 64"), s.name());
    }
  }

  /** The .param types of every .entry in a PTX module. */
  static Map<String, List<String>> entries(String ptx) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)").matcher(ptx);
    while (m.find()) {
      List<String> types = new ArrayList<>();
      Matcher p = Pattern.compile("\\.param\\s+(\\.\\w+)").matcher(m.group(2));
      while (p.find()) types.add(p.group(1));
      out.put(m.group(1), types);
    }
    return out;
  }

  @Test
  void kernelSignaturesMatchThePtx() {
    int checked = 0;
    for (Shape s : Shapes.shipped().all()) {
      Map<String, List<String>> entries = entries(PtxModules.classpathModule(s));
      assertEquals(Kernels.values().length, entries.size(), s + ": entries " + entries.keySet());
      for (Kernels k : Kernels.values()) {
        List<String> declared = entries.get(k.name(s));
        assertNotNull(declared, s + " has no entry " + k.name(s));
        List<String> expected = k.params().stream().map(Kernels.Param::ptx).toList();
        assertEquals(expected, declared, s + " " + k.name(s));
        checked++;
      }
    }
    System.out.println("kernel signatures: " + checked + " entries in " + Shapes.shipped().all().size()
        + " modules match io.statespace.gpu.Kernels");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  @Test
  void theCheckNoticesEveryKindOfStaleness(@TempDir Path tmp) throws IOException {
    Path cuda = tmp.resolve("cuda");
    Path ptx = tmp.resolve("ptx");
    copyTree(CUDA, cuda);
    copyTree(PTX, ptx);
    String flags = flags();
    assertEquals(List.of(), PtxProvenance.check(cuda, ptx, flags), "a faithful copy is current");

    Files.writeString(cuda.resolve("README.md"), "\nedited documentation\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertEquals(List.of(), PtxProvenance.check(cuda, ptx, flags), "documentation is not a source");

    List<String> flagProblems = PtxProvenance.check(cuda, ptx, flags + " -lineinfo");
    assertTrue(flagProblems.stream().anyMatch(p -> p.startsWith("nvcc flags changed")), flagProblems.toString());
    assertEquals(List.of(), PtxProvenance.check(cuda, ptx, "  " + flags.replace(" ", "   ") + " "),
        "white space in the pom does not matter");

    Path header = cuda.resolve("dense.cuh");
    byte[] original = Files.readAllBytes(header);
    Files.writeString(header, "// one more comment\n", StandardOpenOption.APPEND);
    List<String> sourceProblems = PtxProvenance.check(cuda, ptx, flags);
    assertTrue(sourceProblems.stream().anyMatch(p -> p.contains("changed since the PTX was built")),
        sourceProblems.toString());
    Files.write(header, original);
    assertEquals(List.of(), PtxProvenance.check(cuda, ptx, flags));

    Shape first = PtxProvenance.readShapes(cuda).get(0);
    Files.delete(ptx.resolve(first.fileName()));
    assertTrue(PtxProvenance.check(cuda, ptx, flags).stream().anyMatch(p -> p.startsWith("missing module")));
    Files.copy(PTX.resolve(first.fileName()), ptx.resolve(first.fileName()));

    Files.writeString(cuda.resolve(PtxProvenance.SHAPES_FILE), "lin 5 5\n", StandardOpenOption.APPEND);
    List<String> shapeProblems = PtxProvenance.check(cuda, ptx, flags);
    assertTrue(shapeProblems.stream().anyMatch(p -> p.contains("lists shapes")), shapeProblems.toString());
  }

  @Test
  void theBuildsCheckProgramExitsNonZeroWhenStale(@TempDir Path tmp) throws Exception {
    Path cuda = tmp.resolve("cuda");
    Path ptx = tmp.resolve("ptx");
    copyTree(CUDA, cuda);
    copyTree(PTX, ptx);
    Path tool = tmp.resolve("ptx-tool");
    String bin = Paths.get(System.getProperty("java.home"), "bin").toString();
    assertEquals(0, run(Paths.get(bin, "javac").toString(), "-d", tool.toString(),
        "src/main/java/io/statespace/gpu/PtxModules.java", "src/main/java/io/statespace/gpu/build/PtxProvenance.java"),
        "the two files the pom compiles before the project build on the JDK alone");
    String java = Paths.get(bin, "java").toString();
    String main = PtxProvenance.class.getName();
    assertEquals(0, run(java, "-cp", tool.toString(), main, "check", cuda.toString(), ptx.toString(), flags()));
    Files.writeString(cuda.resolve(PtxProvenance.MAIN_SOURCE), "\n", StandardOpenOption.APPEND);
    assertEquals(PtxProvenance.EXIT_STALE, run(java, "-cp", tool.toString(), main, "check", cuda.toString(),
        ptx.toString(), flags()));
  }

  /** Runs a program with its output in a file, and fails it when it takes more than two minutes. */
  private static int run(String... cmd) throws Exception {
    Path log = Files.createTempFile("ptx-check-", ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        throw new AssertionError("timed out after 120 s: " + String.join(" ", cmd) + ": "
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      System.out.print(Files.readString(log, StandardCharsets.UTF_8));
      return p.exitValue();
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void manifestAndHeadersParse() {
    Shape s = new Shape("lin", 4, 2);
    String header = PtxProvenance.header(s, "ab".repeat(32), "-arch=compute_80  -std=c++17", "release 13.0, V13.0.88");
    assertEquals("ab".repeat(32), PtxModules.headerHash(header));
    assertEquals("lin_n4_m2", PtxModules.headerShape(header));
    assertEquals(null, PtxModules.headerHash("// something else"));
    String text = PtxProvenance.manifestText("cd".repeat(32), "-arch=compute_80", "release 13.0", List.of(s));
    Manifest m = PtxModules.parseManifest(List.of(text.split("\n")));
    assertEquals(List.of(s), m.shapes());
    assertEquals("-arch=compute_80", m.flags());
    assertFalse(PtxProvenance.resourceTable("lin_n4_m2", "ptxas info    : Compiling entry function 'k' for 'sm_90'\n"
        + "ptxas info    : Function properties for k\n    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads\n"
        + "ptxas info    : Used 40 registers, used 0 barriers\n").isEmpty());
  }
}
