package io.statespace.gpu;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import jcuda.driver.JCudaDriver;

/**
 * Loads JCuda's driver-API native library once per JVM without the extraction race of JCuda's own loader.
 *
 * <p>JCuda first tries {@code System.loadLibrary} (java.library.path) and otherwise extracts
 * {@code libJCudaDriver-12.6.0-linux-x86_64.so} from its natives jar to {@code ${java.io.tmpdir}} with a
 * non-atomic exists-then-write; several executor JVMs on one host can then load a half-written file.
 * Unless the library is already on java.library.path, this class points java.io.tmpdir at a fresh
 * per-process directory ({@code statespace-jcuda-*} under the original one) for the moment JCuda's class
 * initialiser extracts and loads it, then restores the property; the directory is removed at exit. The
 * alternatives (both documented in docs/GPU.md): pre-extract the library and pass
 * {@code -Djava.library.path=DIR} (what jobs/gpu-bundle.sh does), or give each executor its own
 * {@code -Djava.io.tmpdir} through spark.executor.extraJavaOptions.
 *
 * <p>The library needs the NVIDIA driver's libcuda.so.1; without it loading fails with an
 * UnsatisfiedLinkError, which is caught and reported as a reason, never thrown at the caller.
 */
final class NativeLibraries {
  /** JCuda's platform library name for linux-x86_64 (the only natives this build ships). */
  static final String DRIVER_LIBRARY = "JCudaDriver-12.6.0-linux-x86_64";

  private static String failure;
  private static boolean attempted;

  private NativeLibraries() {}

  /** Loads the library if not yet done; returns null on success, else why it cannot be loaded. */
  static synchronized String load() {
    if (attempted) return failure;
    attempted = true;
    String arch = System.getProperty("os.arch", "");
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      failure = "JCuda natives are shipped for linux-x86_64 only; this JVM runs on " + os + "/" + arch;
      return failure;
    }
    String original = System.getProperty("java.io.tmpdir");
    Path privateDir = null;
    try {
      if (!onLibraryPath()) {
        privateDir = Files.createTempDirectory(Paths.get(original), "statespace-jcuda-");
        System.setProperty("java.io.tmpdir", privateDir.toString());
      }
      JCudaDriver.setExceptionsEnabled(true);
    } catch (Throwable t) {
      failure = describe(t);
    } finally {
      if (privateDir != null) {
        System.setProperty("java.io.tmpdir", original);
        deleteAtExit(privateDir);
      }
    }
    return failure;
  }

  private static boolean onLibraryPath() {
    String path = System.getProperty("java.library.path", "");
    String file = System.mapLibraryName(DRIVER_LIBRARY);
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isRegularFile(Paths.get(dir, file))) return true;
    }
    return false;
  }

  private static void deleteAtExit(Path dir) {
    dir.toFile().deleteOnExit();
    File[] files = dir.toFile().listFiles();
    if (files != null) {
      for (File f : files) f.deleteOnExit();
    }
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String msg = String.valueOf(root.getMessage());
    if (msg.contains("libcuda")) {
      return "the NVIDIA driver library libcuda.so.1 is not installed or not visible to this JVM";
    }
    String first = msg.lines().findFirst().orElse(msg);
    return "cannot load JCuda's native library " + DRIVER_LIBRARY + " (" + root.getClass().getSimpleName() + ": "
        + first + ")";
  }
}
