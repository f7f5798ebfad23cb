package io.statespace.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/API.md's Java and Scala examples compile against the API as it is (the Scala one with scalac of Spark's
 * Scala version), so that Scala callers can call every signature they use and the documentation cannot drift.
 */
class ApiDocExamplesTest {
  @TempDir Path dir;

  private static String block(String language) throws Exception {
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("docs/API.md")));
    assertTrue(m.find(), "docs/API.md has a " + language + " example");
    return m.group(1);
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  @Test
  void javaExampleCompiles() throws Exception {
    Path source = dir.resolve("ApiExample.java");
    Files.writeString(source, block("java"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = javac.run(null, null, err, "-classpath", classpath(), "-d", dir.toString(), source.toString());
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertTrue(Files.isRegularFile(dir.resolve("ApiExample.class")));
  }

  @Test
  void scalaExampleCompiles() throws Exception {
    Path source = dir.resolve("ApiExampleScala.scala");
    Files.writeString(source, block("scala"));
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream before = System.out;
    boolean ok;
    List<String> args = new ArrayList<>(List.of("-classpath", classpath(), "-d", dir.toString(), source.toString()));
    try (PrintStream p = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      ok = scala.Console.withOut(p, new scala.runtime.AbstractFunction0<Boolean>() {
        @Override
        public Boolean apply() {
          return scala.tools.nsc.Main.process(args.toArray(new String[0]));
        }
      });
    } finally {
      System.setOut(before);
    }
    assertTrue(ok, "scalac reported errors: " + captured.toString(StandardCharsets.UTF_8));
    assertTrue(Files.isRegularFile(dir.resolve("ApiExampleScala.class")), captured.toString(StandardCharsets.UTF_8));
  }
}
