package io.statespace.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The format a file's first bytes declare: Parquet files start with {@code PAR1}, ORC files with
 * {@code ORC} and a control byte (the protobuf tag of their postscript-less header), so that a file whose
 * name says nothing is never parsed as CSV.
 */
public final class FileMagic {
  private FileMagic() {}

  /** "parquet" or "orc" when the stream starts with that format's magic bytes, else null; the stream must support mark. */
  public static String of(InputStream in) throws IOException {
    in.mark(4);
    byte[] head = in.readNBytes(4);
    in.reset();
    return of(head);
  }

  /** "parquet" or "orc" when {@code head} (a file's first bytes, at most 4 used) is that format's magic, else null. */
  public static String of(byte[] head) {
    if (head.length < 4) return null;
    String magic = new String(head, 0, 4, StandardCharsets.ISO_8859_1);
    if (magic.equals("PAR1")) return "parquet";
    if (magic.startsWith("ORC") && (head[3] < 0x20 || head[3] == 0x7f) && head[3] != '\t' && head[3] != '\r' && head[3] != '\n') {
      return "orc";
    }
    return null;
  }
}
