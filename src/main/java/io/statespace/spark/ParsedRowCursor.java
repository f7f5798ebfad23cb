package io.statespace.spark;

/**
 * One partition's parsed rows ({@link ParsedRows}' columns, in {@link SmoothJob#grouped}'s order) read one at a
 * time, each column by its ordinal, whatever form Spark hands the rows over in: generic rows ({@link RowCursor})
 * or its internal rows ({@link InternalRowCursor}, no conversion to {@code Row} and no boxed observations), so
 * that one {@link TrajectoryAssembler} serves both. Ids and time values come back as the generic rows hold them
 * (String, Long, BigDecimal, Timestamp, Date, byte[], ...), so that both give the same output exactly.
 * The getters read the current row, the one the last {@link #next} moved to.
 */
interface ParsedRowCursor {
  /** True when a row follows the current one. */
  boolean hasNext();

  /** Moves to the next row. */
  void next();

  /**
   * Keeps the current row readable after the cursor moves on or its iterator is asked {@link #hasNext} (an
   * iterator of internal rows may reuse its row object): for the one row the assembler holds between trajectories.
   */
  void hold();

  /** False for a row rejected while parsing (its reason, message and raw text then say why). */
  boolean valid();

  /**
   * The current (valid) row's trajectory key: equal ({@code equals}) to the key of every row of its trajectory,
   * still valid after the cursor has moved on, and its {@code toString()} is the key's text.
   */
  Object key();

  /** True when the current row's key equals {@code key}, one that {@link #key} returned. */
  boolean hasKey(Object key);

  /** The id as read (null for a row rejected for its null id). */
  Object id();

  /** The time as read (null for a row rejected for its null time). */
  Object timeValue();

  /** The exact time's whole seconds ({@link TimeKey}); valid rows only. */
  long seconds();

  /** The exact time's fraction of a second ({@link TimeKey}); valid rows only. */
  double fraction();

  /**
   * Copies the first {@code count} observations (NaN = missing) into {@code into} from {@code offset}; valid rows
   * only.
   *
   * @throws IllegalStateException when the row holds fewer (rows parsed for another model)
   */
  void observations(double[] into, int offset, int count);

  /** Copies the {@code count} inputs into {@code into} from {@code offset}; valid rows only (as above). */
  void inputs(double[] into, int offset, int count);

  /** Why a rejected row was rejected. */
  RejectReason reason();

  /** A rejected row's one-line message. */
  String message();

  /** A rejected row's input as text. */
  String raw();
}
