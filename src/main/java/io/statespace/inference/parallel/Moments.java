package io.statespace.inference.parallel;

import java.io.Serializable;

/**
 * A Gaussian's mean (n) and covariance (n×n, row-major): what a segment of a long trajectory receives from
 * the driver, the filtered moments of the step before it or the smoothed moments of the step after it
 * (docs/ARCHITECTURE.md §7.5). Arrays are shared, not copied.
 */
public record Moments(double[] mean, double[] cov) implements Serializable {}
