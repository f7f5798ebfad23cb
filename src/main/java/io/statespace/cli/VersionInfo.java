package io.statespace.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the artifact version as built, from {@code io/statespace/version.properties}, which
 * Maven's resource filtering fills with the project version (pom.xml), so the jar reports what it is.
 */
public final class VersionInfo implements IVersionProvider {
  static final String RESOURCE = "/io/statespace/version.properties";

  /** The project version the build recorded; a resource left unfiltered is reported, never shown as a version. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) return "unknown (no " + RESOURCE + " in the build)";
      p.load(in);
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    String v = p.getProperty("version", "");
    if (v.isEmpty() || v.contains("${")) return "unknown (" + RESOURCE + " was not filtered by Maven)";
    return v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"statespace " + version()};
  }
}
