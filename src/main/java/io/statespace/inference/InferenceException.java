package io.statespace.inference;

/** A numerical failure inside an engine, naming the trajectory and step where it happened. */
public class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String trajectoryId, int step, String what) {
    super("trajectory '" + trajectoryId + "', step " + step + ": " + what);
  }
}
