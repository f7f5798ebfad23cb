package io.statespace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The project's version as built: read from {@code io/statespace/build.properties}, which Maven's resource
 * filtering fills with the pom's version (so it is the same in the jar, in target/classes and in tests).
 * report.json's provenance records it.
 */
public final class BuildInfo {
  private static final String RESOURCE = "/io/statespace/build.properties";
  private static final String VERSION = load();

  private BuildInfo() {}

  /** The artifact version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath (a broken build)");
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version");
      if (v == null || v.isBlank() || v.startsWith("${")) {
        throw new IllegalStateException(RESOURCE + " was not filled in by the build: version=" + v);
      }
      return v.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
