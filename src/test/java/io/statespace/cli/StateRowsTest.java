package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The plot's cell reader on CSV's flattened columns: a 1×1 covariance is {@code name_0_0} (README "Output"), not
 * {@code name_0} like a vector's element, so a one-component forecast fan and band read their variance.
 */
class StateRowsTest {
  private static Row csvRow(String[] names, String[] values) {
    StructField[] fields = new StructField[names.length];
    for (int i = 0; i < names.length; i++) fields[i] = DataTypes.createStructField(names[i], DataTypes.StringType, true);
    return new GenericRowWithSchema(values, new StructType(fields));
  }

  @Test
  void aOneByOneCovarianceIsReadFromItsMatrixColumnInCsv() {
    String[] names = {"predicted_obs_mean_0", "predicted_obs_cov_0_0", "smoothed_cov_0_0"};
    Row r = csvRow(names, new String[] {"798.4", "20599.86640733406", "4032.0"});
    StateRows cells = new StateRows(names, true);
    double[] std = new double[1];
    cells.standardDeviations(r, "predicted_obs", 1, std, 0);
    assertEquals(Math.sqrt(20599.86640733406), std[0], 1e-12);
    double[] cov = new double[1];
    cells.matrix(r, "smoothed_cov", 1, cov, 0);
    assertEquals(4032.0, cov[0]);
    double[] mean = new double[1];
    cells.array(r, "predicted_obs_mean", 1, mean, 0);
    assertEquals(798.4, mean[0]);
  }

  @Test
  void aTwoByTwoCovarianceAndAVectorInCsv() {
    String[] names = {"predicted_obs_std_0", "predicted_obs_std_1", "smoothed_cov_0_0", "smoothed_cov_0_1",
        "smoothed_cov_1_0", "smoothed_cov_1_1"};
    Row r = csvRow(names, new String[] {"3", "4", "1", "0.5", "0.5", "2"});
    StateRows cells = new StateRows(names, true);
    double[] std = new double[2];
    cells.standardDeviations(r, "predicted_obs", 2, std, 0);
    assertEquals(3.0, std[0]);
    assertEquals(4.0, std[1]);
    double[] cov = new double[4];
    cells.matrix(r, "smoothed_cov", 2, cov, 0);
    assertEquals(0.5, cov[1]);
    assertEquals(2.0, cov[3]);
  }
}
