package io.statespace.gpu;

/**
 * Where the time of the last engine call went, for the harness's tables: host-to-device copies, kernels
 * (device events around them, so without launch gaps on the host side), device-to-host copies with the
 * unpacking into posterior arrays, and the whole call on the host clock.
 */
public record Timings(double uploadMs, double kernelMs, double downloadMs, double totalMs) {
  /** No call yet. */
  public static final Timings NONE = new Timings(0, 0, 0, 0);
}
