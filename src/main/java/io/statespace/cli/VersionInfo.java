package io.statespace.cli;

import io.statespace.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the artifact version as built ({@link BuildInfo}), so the jar reports what it is. */
public final class VersionInfo implements IVersionProvider {
  /** The project version the build recorded. */
  public static String version() {
    return BuildInfo.version();
  }

  @Override
  public String[] getVersion() {
    return new String[] {"statespace " + version()};
  }
}
