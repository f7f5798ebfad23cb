package io.statespace.spark;

/** Why a row went to quarantine; {@link #code()} is the stable value of the quarantine's reason_code. */
public enum RejectReason {
  CORRUPT_RECORD("corrupt_record"),
  NULL_ID("null_id"),
  BAD_TIME("bad_time"),
  BAD_VALUE("bad_value"),
  INFINITE_VALUE("infinite_value"),
  BAD_INPUT("bad_input"),
  DUPLICATE_TIME("duplicate_time"),
  INFERENCE_FAILED("inference_failed"),
  /** fit only: the trajectory's loss or gradient is not finite at the starting parameters. */
  NONFINITE_LOSS("nonfinite_loss");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** The reason whose {@link #code()} this is. */
  public static RejectReason fromCode(String code) {
    for (RejectReason r : values()) {
      if (r.code.equals(code)) return r;
    }
    throw new IllegalArgumentException("unknown reason code '" + code + "'");
  }
}
