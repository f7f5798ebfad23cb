package io.statespace.spark;

/** The input cannot be used at all (unreadable path, missing column, unknown format): a usage error. */
public final class InputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }
}
