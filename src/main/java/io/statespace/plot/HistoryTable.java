package io.statespace.plot;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fit's history.csv read with a CSV parser (RFC 4180 quoting, any line ending): the columns
 * {@code iteration}, {@code loss} and {@code gradient_norm} are found by their header names, and every
 * cell of them must be a number. Anything else (not UTF-8 text, no such columns, a row too short, a cell
 * that is not a number) is refused with one line naming the file and the line.
 */
public record HistoryTable(double[] iterations, double[] loss, double[] gradientNorm) {
  static final List<String> NEEDED = List.of("iteration", "loss", "gradient_norm");

  /** Why a file cannot be read as a fit history (one line naming the file). */
  public static final class NotAHistory extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    NotAHistory(String message) {
      super(message);
    }
  }

  public static HistoryTable read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NotAHistory("--history: no such file " + file);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new NotAHistory("--history " + file + ": not a CSV text file (not UTF-8; a fit writes history.csv as text)");
    }
    if (text.indexOf('\0') >= 0) throw new NotAHistory("--history " + file + ": not a CSV text file (it holds NUL bytes)");
    return parse(file.toString(), new java.io.StringReader(text));
  }

  static HistoryTable parse(String name, Reader reader) {
    CsvParserSettings settings = new CsvParserSettings();
    settings.getFormat().setDelimiter(',');
    settings.getFormat().setQuote('"');
    settings.getFormat().setQuoteEscape('"');
    settings.setLineSeparatorDetectionEnabled(true);
    settings.setSkipEmptyLines(true);
    List<String[]> rows;
    try {
      rows = new CsvParser(settings).parseAll(reader);
    } catch (TextParsingException e) {
      throw new NotAHistory("--history " + name + ": not valid CSV at line " + (e.getLineIndex() + 1));
    }
    if (rows.isEmpty()) throw new NotAHistory("--history " + name + ": empty file");
    String[] header = rows.get(0);
    int[] at = new int[NEEDED.size()];
    for (int k = 0; k < at.length; k++) {
      at[k] = indexOf(header, NEEDED.get(k));
      if (at[k] < 0) {
        throw new NotAHistory("--history " + name + ": no column '" + NEEDED.get(k) + "' in the header line (a fit's history.csv has "
            + String.join(", ", NEEDED) + ", ...)");
      }
    }
    int n = rows.size() - 1;
    double[][] columns = new double[at.length][n];
    for (int r = 0; r < n; r++) {
      String[] row = rows.get(r + 1);
      for (int k = 0; k < at.length; k++) {
        String cell = at[k] < row.length ? row[at[k]] : null;
        try {
          if (cell == null) throw new NumberFormatException();
          columns[k][r] = Double.parseDouble(cell.trim());
        } catch (NumberFormatException e) {
          throw new NotAHistory("--history " + name + ", data row " + (r + 1) + ": column '" + NEEDED.get(k) + "' is "
              + (cell == null ? "missing" : "'" + cell + "', not a number"));
        }
      }
    }
    if (n == 0) throw new NotAHistory("--history " + name + ": no rows after the header line");
    return new HistoryTable(columns[0], columns[1], columns[2]);
  }

  private static int indexOf(String[] header, String name) {
    for (int i = 0; i < header.length; i++) {
      if (header[i] != null && header[i].trim().toLowerCase(Locale.ROOT).equals(name)) return i;
    }
    return -1;
  }
}
