package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/lib.sh tells a first user that Maven is about to download Spark (about 300 MB, once) when the local
 * Maven repository lacks the project's Spark version, and says nothing once it is there.
 */
class FirstBuildNoticeTest {
  @TempDir Path home;

  private static String notice(Path home) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source jobs/lib.sh && spark_download_notice");
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("STATESPACE_MAVEN_REPO");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void aFreshMachineIsToldOfTheSparkDownloadAndAPreparedOneIsNot() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    int at = pom.indexOf("<spark.version>") + "<spark.version>".length();
    String version = pom.substring(at, pom.indexOf("</spark.version>", at));
    String fresh = notice(home);
    assertTrue(fresh.contains("Maven downloads Apache Spark " + version) && fresh.contains("about 300 MB")
        && fresh.contains(home.resolve(".m2/repository").toString() + " once"), fresh);
    Files.createDirectories(home.resolve(".m2/repository/org/apache/spark/spark-core_2.13/" + version));
    assertEquals("", notice(home));
  }
}
