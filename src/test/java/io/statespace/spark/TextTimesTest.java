package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** The type a CSV time column is written as in a typed output: only one that holds every value exactly. */
class TextTimesTest {
  private static DataType typeOf(String... cells) {
    return Arrays.stream(cells).map(TextTimes.Kind::of).reduce(TextTimes.Kind.NONE, TextTimes.Kind::merge).type();
  }

  @Test
  void integersAreLongsEvenBeyondADoublesPrecision() {
    assertEquals(DataTypes.LongType, typeOf("0", "-5", "+7", " 12 ", "1700000000000000001"));
  }

  @Test
  void decimalsThatADoublePrintsBackAreDoubles() {
    assertEquals(DataTypes.DoubleType, typeOf("0.1", "0.25", "3", "1e3", "-2.5E-3"));
  }

  @Test
  void aFractionNextToAHugeIntegerIsADecimalNotADouble() {
    assertEquals(DataTypes.createDecimalType(17, 1), typeOf("9007199254740993", "0.5"));
    assertEquals(DataTypes.createDecimalType(22, 6), typeOf("1700000000000000.000001"));
  }

  @Test
  void textOrNothingStaysText() {
    assertEquals(DataTypes.StringType, typeOf("1", "2024-01-01T00:00:00Z"));
    assertEquals(DataTypes.StringType, typeOf());
    assertEquals(DataTypes.StringType, typeOf("0." + "1".repeat(40)));
  }
}
