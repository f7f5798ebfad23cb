package io.statespace.gpu;

import java.util.List;

/**
 * Whether this JVM can run the GPU kernels, and on which devices. Detection never throws and never
 * crashes a JVM without a GPU or driver: it answers {@link #available()} false with a {@link #reason()}.
 * Backend selection takes a probe so that it can be tested with fakes ({@link #unavailable}, {@link #of}).
 */
public interface DeviceProbe {
  /** True when at least one usable device is present and the shipped PTX can be loaded on it. */
  boolean available();

  /** Why no device is usable; or, when available, a one-line description of the devices. */
  String reason();

  /** The usable devices (empty when unavailable). */
  List<DeviceInfo> devices();

  /** The probe of this JVM ({@link CudaProbe}); detection runs once and is cached. */
  static DeviceProbe detect() {
    return CudaProbe.get();
  }

  /** A probe that reports no device, with the given reason. */
  static DeviceProbe unavailable(String reason) {
    return new Fixed(false, reason, List.of());
  }

  /** A probe that reports these devices. */
  static DeviceProbe of(List<DeviceInfo> devices) {
    if (devices.isEmpty()) return unavailable("no CUDA device");
    StringBuilder sb = new StringBuilder();
    for (DeviceInfo d : devices) sb.append(sb.length() == 0 ? "" : "; ").append(d.describe());
    return new Fixed(true, sb.toString(), List.copyOf(devices));
  }

  /** An immutable probe answer. */
  record Fixed(boolean available, String reason, List<DeviceInfo> devices) implements DeviceProbe {}
}
