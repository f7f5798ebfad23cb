package io.statespace.cli;

/** A command-line setting that cannot work, named in the message (exit code 2). */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
