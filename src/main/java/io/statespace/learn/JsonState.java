package io.statespace.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Exact JSON round trips of optimiser state: finite doubles as JSON numbers (Jackson writes the shortest
 * decimal that parses back to the same double), non-finite ones as the strings "NaN", "Infinity",
 * "-Infinity".
 */
final class JsonState {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonState() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static void put(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) node.put(key, v);
    else node.put(key, Double.toString(v));
  }

  static void add(ArrayNode array, double v) {
    if (Double.isFinite(v)) array.add(v);
    else array.add(Double.toString(v));
  }

  static double toDouble(JsonNode v) {
    if (v == null || v.isNull()) throw new IllegalArgumentException("checkpoint: missing number");
    return v.isTextual() ? Double.parseDouble(v.asText()) : v.doubleValue();
  }

  static double getDouble(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null) throw new IllegalArgumentException("checkpoint: missing '" + key + "'");
    return toDouble(v);
  }

  static long getLong(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null) throw new IllegalArgumentException("checkpoint: missing '" + key + "'");
    return v.asLong();
  }

  static void put(ObjectNode node, String key, double[] values) {
    ArrayNode a = node.putArray(key);
    for (double v : values) add(a, v);
  }

  static double[] getArray(JsonNode node, String key) {
    JsonNode a = node.get(key);
    if (a == null || !a.isArray()) throw new IllegalArgumentException("checkpoint: missing array '" + key + "'");
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = toDouble(a.get(i));
    return out;
  }

  /** Copies the array at key into target, checking its length. */
  static void readInto(JsonNode node, String key, double[] target) {
    double[] v = getArray(node, key);
    if (v.length != target.length) {
      throw new IllegalArgumentException("checkpoint: '" + key + "' has " + v.length + " values, expected " + target.length);
    }
    System.arraycopy(v, 0, target, 0, v.length);
  }
}
