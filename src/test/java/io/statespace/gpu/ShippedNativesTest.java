package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's check of the spark jar (run by Maven after shading): the backend's own JCuda library must be
 * there, JCuda's other natives must not, and the jar must stay under its size. Checked here on jars made to
 * each shape; JCuda's natives jar on the classpath is the source of the library name the loader looks up.
 */
class ShippedNativesTest {
  @TempDir Path dir;

  private File jar(String name, int padding, String... entries) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(p); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(0);
      for (String e : entries) {
        zip.putNextEntry(new ZipEntry(e));
        zip.write(new byte[padding]);
        zip.closeEntry();
      }
    }
    return p.toFile();
  }

  @Test
  void theDriverLibraryIsTheOneJCudasLoaderLooksUp() throws IOException {
    String entry = ShippedNatives.driverEntry();
    assertEquals("lib/libJCudaDriver-12.6.0-linux-x86_64.so", entry);
    try (var in = NativeLibraries.class.getResourceAsStream("/" + entry)) {
      assertEquals(true, in != null, entry + " must be in JCuda's natives jar on the classpath");
    }
  }

  @Test
  void aJarWithOnlyTheDriverLibraryPasses() throws IOException {
    assertEquals(List.of(), ShippedNatives.problems(jar("ok.jar", 10, "io/statespace/cli/Main.class", ShippedNatives.driverEntry()), 1_000_000));
  }

  @Test
  void everyOtherNativeIsNamedAndAMissingDriverToo() throws IOException {
    File extra = jar("extra.jar", 10, ShippedNatives.driverEntry(), "lib/libJNvPTXCompiler-12.6.0-linux-x86_64.so",
        "lib/libJNvrtc-12.6.0-linux-x86_64.so");
    assertEquals(List.of("ships lib/libJNvPTXCompiler-12.6.0-linux-x86_64.so, which the backend never loads",
        "ships lib/libJNvrtc-12.6.0-linux-x86_64.so, which the backend never loads"), ShippedNatives.problems(extra, 1_000_000));
    File none = jar("none.jar", 10, "io/statespace/cli/Main.class");
    assertEquals(List.of("lacks lib/libJCudaDriver-12.6.0-linux-x86_64.so, the JCuda library the GPU backend loads"),
        ShippedNatives.problems(none, 1_000_000));
  }

  @Test
  void aJarOverTheLimitIsRefused() throws IOException {
    File big = jar("big.jar", 20_000, ShippedNatives.driverEntry());
    assertEquals(List.of("is " + big.length() + " bytes, over the limit of 10000"), ShippedNatives.problems(big, 10_000));
  }
}
