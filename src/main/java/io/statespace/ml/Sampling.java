package io.statespace.ml;

import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.InputSource;
import io.statespace.spark.RowwiseSmoothing;
import io.statespace.spark.SampleCore;
import io.statespace.spark.SampleSettings;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@link KalmanSmoother#sample}: the {@code sample} job's core ({@link SampleCore}) on a Dataset, with the
 * smoothing parameters that apply to it (model, columns, partitions, handleInvalid). A missing model column is
 * refused by {@link InputSource#of} before any job runs; a single series (no id) works as in {@code transform}.
 */
final class Sampling {
  private Sampling() {}

  static Dataset<Row> sample(SmoothingParams<?> p, Dataset<?> dataset, int draws, long seed) {
    if (draws < 1) throw new IllegalArgumentException(p.uid() + ": draws must be at least 1, got " + draws);
    ModelSpec spec = Smoothing.spec(p);
    RowwiseSmoothing.Invalid invalid = RowwiseSmoothing.Invalid.parse(p.getHandleInvalid());
    return SampleCore.rows(dataset.sparkSession(), InputSource.of(dataset.toDF(), spec.columns()),
        SampleSettings.forDataset(spec, p.getPartitions(), draws, seed), invalid);
  }
}
