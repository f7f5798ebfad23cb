package io.statespace.gpu;

import io.statespace.gpu.Kernels.Param;
import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The arguments of one kernel launch, checked against the kernel's declared parameter list
 * ({@link Kernels}) as they are added: a wrong count or type fails here, on the host, instead of as a
 * corrupted launch. Device pointers may be null for the kernels' optional outputs (passed as 0). Building
 * the argument list needs no GPU; {@link #pointer} makes JCuda's kernelParams.
 */
public final class KernelArgs {
  private final Kernels kernel;
  private final List<Param> types = new ArrayList<>();
  private final List<Object> values = new ArrayList<>();

  public KernelArgs(Kernels kernel) {
    this.kernel = kernel;
  }

  public Kernels kernel() {
    return kernel;
  }

  private KernelArgs add(Param type, Object value) {
    int i = types.size();
    if (i >= kernel.params().size()) {
      throw new IllegalArgumentException(kernel + ": more than its " + kernel.params().size() + " parameters");
    }
    if (kernel.params().get(i) != type) {
      throw new IllegalArgumentException(kernel + ": parameter " + i + " is " + kernel.params().get(i) + ", got " + type);
    }
    types.add(type);
    values.add(value);
    return this;
  }

  /** A device pointer, or null for an absent optional buffer. */
  public KernelArgs ptr(CUdeviceptr p) {
    return add(Param.PTR, p == null ? new CUdeviceptr() : p);
  }

  public KernelArgs i32(int v) {
    return add(Param.I32, v);
  }

  public KernelArgs i64(long v) {
    return add(Param.I64, v);
  }

  public KernelArgs f64(double v) {
    return add(Param.F64, v);
  }

  /** The types added so far. */
  public List<Param> types() {
    return List.copyOf(types);
  }

  /** The value of argument i (a CUdeviceptr, Integer, Long or Double). */
  public Object value(int i) {
    return values.get(i);
  }

  /** JCuda's kernelParams: a pointer to one pointer per argument. Fails if arguments are missing. */
  public Pointer pointer() {
    if (types.size() != kernel.params().size()) {
      throw new IllegalStateException(kernel + ": " + types.size() + " of " + kernel.params().size() + " arguments given");
    }
    NativePointerObject[] each = new NativePointerObject[values.size()];
    for (int i = 0; i < each.length; i++) {
      Object v = values.get(i);
      if (v instanceof CUdeviceptr) {
        each[i] = Pointer.to((CUdeviceptr) v);
      } else if (v instanceof Integer) {
        each[i] = Pointer.to(new int[] {(Integer) v});
      } else if (v instanceof Long) {
        each[i] = Pointer.to(new long[] {(Long) v});
      } else {
        each[i] = Pointer.to(new double[] {(Double) v});
      }
    }
    return Pointer.to(each);
  }
}
