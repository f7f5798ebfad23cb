package io.statespace.gpu;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The build's check of the spark jar's native libraries: it must hold exactly the one JCuda library the
 * backend loads ({@link NativeLibraries#DRIVER_LIBRARY}, JCuda's driver API) and none of the others JCuda's
 * natives jar brings (the PTX compiler, NVRTC, the runtime API: about 9 MB the code never calls), and stay
 * under a size. Run by Maven after the shade step ({@code mvn package}); JDK only.
 */
public final class ShippedNatives {
  private ShippedNatives() {}

  /** The entry JCuda's loader looks up for the backend's library. */
  static String driverEntry() {
    return "lib/lib" + NativeLibraries.DRIVER_LIBRARY + ".so";
  }

  /** The problems of the jar (empty when it ships what the backend loads, nothing else, within the size). */
  public static List<String> problems(File jar, long maxBytes) throws IOException {
    List<String> problems = new ArrayList<>();
    boolean driver = false;
    try (ZipFile zip = new ZipFile(jar)) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
        String name = e.nextElement().getName();
        if (name.equals(driverEntry())) {
          driver = true;
        } else if (isNative(name)) {
          problems.add("ships " + name + ", which the backend never loads");
        }
      }
    }
    if (!driver) problems.add("lacks " + driverEntry() + ", the JCuda library the GPU backend loads");
    if (jar.length() > maxBytes) problems.add("is " + jar.length() + " bytes, over the limit of " + maxBytes);
    return problems;
  }

  private static boolean isNative(String name) {
    String base = name.substring(name.lastIndexOf('/') + 1);
    return base.endsWith(".so") || base.contains(".so.") || base.endsWith(".dll") || base.endsWith(".dylib")
        || base.endsWith(".jnilib");
  }

  /** {@code ShippedNatives JAR MAX_BYTES}: exit 0 when the jar passes, else 1 with one line per problem. */
  public static void main(String[] args) throws IOException {
    File jar = new File(args[0]);
    List<String> problems = problems(jar, Long.parseLong(args[1]));
    for (String p : problems) System.err.println("spark jar " + jar + " " + p);
    if (!problems.isEmpty()) System.exit(1);
    System.out.println("spark jar " + jar + ": " + jar.length() + " bytes, natives: " + driverEntry() + " only");
  }
}
