package io.statespace.learn;

/**
 * EM's E-step over all the data at θ: the driver's distributed job (broadcast θ, fold
 * {@link ExpectationEvaluator#add} per partition into {@link EmStatistics}, tree-merge), or
 * {@link LocalExpectationStep} in process.
 */
public interface ExpectationStep {
  EmStatistics expectation(double[] theta);
}
