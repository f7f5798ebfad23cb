package io.statespace.model.spec;

/** A model file that is not valid: the message names the key (a dotted path) and what is wrong. */
public final class ModelSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ModelSpecException(String key, String problem) {
    super(key.isEmpty() ? problem : key + ": " + problem);
    this.key = key;
  }

  /** The offending key as a dotted path ({@code dynamics.cov}), or empty for the whole file. */
  public String key() {
    return key;
  }
}
