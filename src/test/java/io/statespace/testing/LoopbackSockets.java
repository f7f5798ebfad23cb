package io.statespace.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads Linux's /proc socket tables to list the TCP addresses that given processes listen on or talk
 * to, so tests can assert that a cluster stays on loopback (127.0.0.0/8).
 */
public final class LoopbackSockets {
  private LoopbackSockets() {}

  /** Human-readable "local -> remote (state)" of every TCP socket of the processes that is not on loopback. */
  public static List<String> nonLoopback(List<Long> pids) throws IOException {
    Set<String> inodes = new HashSet<>();
    for (long pid : pids) {
      Path fds = Path.of("/proc", String.valueOf(pid), "fd");
      if (!Files.isDirectory(fds)) continue;
      try (Stream<Path> links = Files.list(fds)) {
        for (Path link : (Iterable<Path>) links::iterator) {
          try {
            String target = Files.readSymbolicLink(link).toString();
            if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
          } catch (IOException gone) {
            // the descriptor closed while we listed it
          }
        }
      }
    }
    List<String> bad = new ArrayList<>();
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      Path p = Path.of(table);
      if (!Files.exists(p)) continue;
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (!inodes.contains(f[9])) continue;
        String local = address(f[1]);
        String remote = address(f[2]);
        boolean listening = f[3].equals("0A");
        if (!isLoopback(local) || (!listening && !isLoopback(remote))) {
          bad.add(local + " -> " + remote + (listening ? " (listening)" : ""));
        }
      }
    }
    return bad;
  }

  /** Decodes /proc's little-endian hex "ADDR:PORT" into dotted IPv4 (IPv6-mapped IPv4 included) or hex IPv6. */
  static String address(String hex) {
    String[] parts = hex.split(":");
    String a = parts[0];
    int port = Integer.parseInt(parts[1], 16);
    if (a.length() == 8) return ipv4(a) + ":" + port;
    if (a.startsWith("0000000000000000FFFF0000")) return ipv4(a.substring(24)) + ":" + port;
    if (a.equals("00000000000000000000000001000000")) return "::1:" + port;
    return "[" + a + "]:" + port;
  }

  private static String ipv4(String le) {
    return Integer.parseInt(le.substring(6, 8), 16) + "." + Integer.parseInt(le.substring(4, 6), 16) + "."
        + Integer.parseInt(le.substring(2, 4), 16) + "." + Integer.parseInt(le.substring(0, 2), 16);
  }

  static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.startsWith("::1:");
  }
}
