package io.statespace.execution;

import io.statespace.gpu.DeviceInfo;

/**
 * The GPU a task may use, as a plain value for {@link ExecutionPolicy}: none (with why), or the device
 * its Spark GPU address maps to (with how it was found). A device that is present but cannot be matched
 * to the task's address carries the {@link #problem()}: the policy fails the task with it as soon as a
 * block would go to the GPU, as a misconfiguration must not pass for "no GPU".
 *
 * @param device the task's device, null when none is usable
 * @param reason why no device is usable, or how the task's device was found
 * @param problem why the task's device could not be identified, or null
 */
public record TaskDevice(DeviceInfo device, String reason, String problem) {
  /** No usable device, for the given reason. */
  public static TaskDevice none(String reason) {
    return new TaskDevice(null, reason, null);
  }

  /** The task's device, found as {@code how} says. */
  public static TaskDevice of(DeviceInfo device, String how) {
    return new TaskDevice(device, how, null);
  }

  /** Devices are present (the first is {@code any}) but the task's own cannot be identified. */
  public static TaskDevice unidentified(DeviceInfo any, String problem) {
    return new TaskDevice(any, problem, problem);
  }

  public boolean available() {
    return device != null;
  }

  /** The device's ordinal for a GPU engine; throws the identification problem, if any. */
  int ordinal() {
    if (problem != null) throw new IllegalStateException(problem);
    return device.ordinal();
  }
}
