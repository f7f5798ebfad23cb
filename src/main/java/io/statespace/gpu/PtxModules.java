package io.statespace.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The shipped PTX modules as the runtime reads them: the shapes, the manifest and each module's provenance
 * header on the classpath (under {@link #RESOURCE_DIR}). Writing and checking them is the build's job
 * ({@code io.statespace.gpu.build.PtxProvenance}, which uses this class for the formats). Depends on the
 * JDK only, because the build compiles it together with that program before the project is compiled.
 */
public final class PtxModules {
  /** Classpath directory of the modules. */
  public static final String RESOURCE_DIR = "io/statespace/gpu/ptx";
  /** The manifest's file name inside {@link #RESOURCE_DIR}. */
  public static final String MANIFEST = "MANIFEST.txt";
  /** How a module's first line (its provenance header) starts. */
  public static final String HEADER_PREFIX = "// statespace-ptx ";

  private PtxModules() {}

  /** One compiled shape: model kind ({@code lin} or {@code cv}), state and observation dimensions. */
  public record Shape(String kind, int stateDim, int obsDim) {
    public Shape {
      if (!kind.equals("lin") && !kind.equals("cv")) {
        throw new IllegalArgumentException("shape kind must be lin or cv, got '" + kind + "'");
      }
      if (stateDim < 1 || obsDim < 1) throw new IllegalArgumentException("shape dimensions must be positive");
      if (kind.equals("cv") && stateDim != 2 * obsDim) {
        throw new IllegalArgumentException("a cv shape has N = 2 M, got N=" + stateDim + " M=" + obsDim);
      }
    }

    /** e.g. {@code lin_n4_m2}: the suffix of the module's kernel names. */
    public String name() {
      return kind + "_n" + stateDim + "_m" + obsDim;
    }

    /** The module's resource file name. */
    public String fileName() {
      return name() + ".ptx.gz";
    }

    @Override
    public String toString() {
      return kind + " " + stateDim + " " + obsDim;
    }
  }

  /** The parsed manifest. */
  public record Manifest(String sourceHash, String flags, String nvcc, List<Shape> shapes) {}

  /** Parses shapes.txt lines ({@code kind N M}; blank lines and {@code #} comments ignored). */
  public static List<Shape> parseShapes(List<String> lines) {
    List<Shape> shapes = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] f = line.split("\\s+");
      if (f.length != 3) throw new IllegalArgumentException("shapes: expected 'kind N M', got '" + line + "'");
      Shape s = new Shape(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]));
      if (shapes.contains(s)) throw new IllegalArgumentException("shapes: duplicate '" + line + "'");
      shapes.add(s);
    }
    return shapes;
  }

  /** The source hash a module header records, or null when the line is not a header. */
  public static String headerHash(String line) {
    Matcher m = Pattern.compile("source-sha256=([0-9a-f]{64})").matcher(line);
    return line.startsWith(HEADER_PREFIX) && m.find() ? m.group(1) : null;
  }

  /** The shape name a module header records, or null. */
  public static String headerShape(String line) {
    Matcher m = Pattern.compile("shape=(\\S+)").matcher(line);
    return line.startsWith(HEADER_PREFIX) && m.find() ? m.group(1) : null;
  }

  /** Parses manifest lines. */
  public static Manifest parseManifest(List<String> lines) {
    String hash = null;
    String flags = null;
    String nvcc = null;
    List<String> shapeLines = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int sp = line.indexOf(' ');
      String key = sp < 0 ? line : line.substring(0, sp);
      String value = sp < 0 ? "" : line.substring(sp + 1).strip();
      switch (key) {
        case "source-sha256" -> hash = value;
        case "flags" -> flags = value;
        case "nvcc" -> nvcc = value;
        case "shape" -> shapeLines.add(value);
        default -> throw new IllegalArgumentException("manifest: unknown line '" + line + "'");
      }
    }
    if (hash == null || flags == null) throw new IllegalArgumentException("manifest: source-sha256 or flags missing");
    return new Manifest(hash, flags, nvcc, parseShapes(shapeLines));
  }

  /** The manifest shipped on the classpath. */
  public static Manifest classpathManifest() {
    String text = classpathText(RESOURCE_DIR + "/" + MANIFEST, false);
    if (text == null) throw new IllegalStateException("no PTX manifest on the classpath (" + RESOURCE_DIR + "/" + MANIFEST + ")");
    return parseManifest(Arrays.asList(text.split("\n")));
  }

  /** The PTX text of one shipped module, or null when the classpath lacks it. */
  public static String classpathModule(Shape shape) {
    return classpathText(RESOURCE_DIR + "/" + shape.fileName(), true);
  }

  private static String classpathText(String resource, boolean gzip) {
    ClassLoader loader = PtxModules.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) return null;
      return new String((gzip ? new GZIPInputStream(in) : in).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(resource, e);
    }
  }

}
