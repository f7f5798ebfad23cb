package io.statespace.model.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A JSON value with its dotted path, whose typed getters fail with a {@link ModelSpecException} naming it. */
public final class SpecNode {
  private final JsonNode node;
  private final String path;

  SpecNode(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  public String path() {
    return path;
  }

  private String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  public SpecNode get(String key) {
    if (!has(key)) throw new ModelSpecException(childPath(key), "missing");
    return new SpecNode(node.get(key), childPath(key));
  }

  public SpecNode object(String key) {
    SpecNode child = get(key);
    if (!child.node.isObject()) throw new ModelSpecException(child.path, "expected an object, got " + child.kind());
    return child;
  }

  /** Fails on any key outside the allowed set. */
  public void allowOnly(Set<String> allowed) {
    if (!node.isObject()) throw new ModelSpecException(path, "expected an object, got " + kind());
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ModelSpecException(childPath(name), "unknown key (allowed here: " + String.join(", ", new TreeSet<>(allowed)) + ")");
      }
    }
  }

  public String text() {
    if (!node.isTextual()) throw new ModelSpecException(path, "expected a string, got " + kind());
    String s = node.asText();
    if (s.isBlank()) throw new ModelSpecException(path, "must not be empty");
    return s;
  }

  /** A string that may be empty (an empty value means "none", e.g. {@code columns.id}); blank but non-empty is refused. */
  public String textOrEmpty() {
    if (node.isTextual() && node.asText().isEmpty()) return "";
    return text();
  }

  public int integer() {
    if (!node.isIntegralNumber()) throw new ModelSpecException(path, "expected an integer, got " + kind());
    return node.asInt();
  }

  public double number() {
    return number(node, path);
  }

  private static double number(JsonNode n, String p) {
    if (!n.isNumber()) throw new ModelSpecException(p, "expected a number, got " + kind(n));
    double v = n.asDouble();
    if (!Double.isFinite(v)) throw new ModelSpecException(p, "must be finite, got " + v);
    return v;
  }

  public double[] vector(int length) {
    if (!node.isArray()) throw new ModelSpecException(path, "expected an array of " + length + " numbers, got " + kind());
    if (node.size() != length) {
      throw new ModelSpecException(path, "expected " + length + " numbers, got " + node.size());
    }
    double[] out = new double[length];
    for (int i = 0; i < length; i++) out[i] = number(node.get(i), path + "[" + i + "]");
    return out;
  }

  /** A rows×cols matrix written as an array of row arrays; returned row-major. */
  public double[] matrix(int rows, int cols) {
    if (!node.isArray()) throw new ModelSpecException(path, "expected a " + rows + "x" + cols + " matrix (array of rows), got " + kind());
    if (node.size() != rows) throw new ModelSpecException(path, "expected " + rows + " rows, got " + node.size());
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      JsonNode row = node.get(i);
      String rp = path + "[" + i + "]";
      if (!row.isArray()) throw new ModelSpecException(rp, "expected a row of " + cols + " numbers, got " + kind(row));
      if (row.size() != cols) throw new ModelSpecException(rp, "expected " + cols + " numbers, got " + row.size());
      for (int j = 0; j < cols; j++) out[i * cols + j] = number(row.get(j), rp + "[" + j + "]");
    }
    return out;
  }

  public List<String> strings() {
    if (!node.isArray()) throw new ModelSpecException(path, "expected an array of strings, got " + kind());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isTextual() || item.asText().isBlank()) {
        throw new ModelSpecException(path + "[" + i + "]", "expected a non-empty string, got " + kind(item));
      }
      out.add(item.asText());
    }
    return out;
  }

  public boolean isArray() {
    return node.isArray();
  }

  JsonNode json() {
    return node;
  }

  private String kind() {
    return kind(node);
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isNull()) return "null";
    if (n.isTextual()) return "the string \"" + n.asText() + "\"";
    if (n.isNumber()) return "the number " + n.asText();
    if (n.isBoolean()) return "a boolean";
    if (n.isArray()) return "an array";
    if (n.isObject()) return "an object";
    return n.getNodeType().toString().toLowerCase();
  }
}
