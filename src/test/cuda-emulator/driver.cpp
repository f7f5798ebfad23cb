// A stand-in for the NVIDIA driver library libcuda.so.1 that runs the kernels on the CPU, for testing the
// GPU backend where there is no GPU. JCuda's native library links libcuda.so.1 by name, so putting this
// one first on LD_LIBRARY_PATH runs the whole Java path unchanged: JCuda's bindings, contexts, module
// loading, argument packing, launch geometry, copies and the kernels' own source (compiled for the host by
// build.sh, one library per PTX module). Only the entry points the backend calls exist; JCuda binds lazily,
// so anything else fails at its first call with the missing symbol's name.
//
// It is stricter than a GPU where that finds bugs a GPU would hide or make flaky: device memory starts as
// NaN bytes and sits against an inaccessible page (an out-of-bounds access faults), copies must stay inside
// one allocation, every call but the device queries needs a current context on the calling thread, launches
// obey the per-block limits (1024 threads, 48 KiB of dynamic shared memory unless raised), and the threads
// of a block can run in reverse or shuffled order between barriers, so a data race changes the results.
//
// Settings (environment): STATESPACE_CUDA_EMULATOR_KERNELS (directory of the kernel libraries; default
// kernels/ next to this library), STATESPACE_CUDA_EMULATOR_ORDER (forward, reverse, shuffle; default
// shuffle), STATESPACE_CUDA_EMULATOR_THREADS (OS threads running blocks; default all cores),
// STATESPACE_CUDA_EMULATOR_SMS (multiprocessors reported; default 132, an H100 SXM's, so that launch
// geometries match the GPU's), STATESPACE_CUDA_EMULATOR_TRACE (set: one stderr line per launch).
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cuda_emulation_abi.h"

using cuda_emulation::BlockFunction;
using cuda_emulation::KernelListFunction;
using cuda_emulation::LaunchBlock;

namespace {

enum Result {
  SUCCESS = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NOT_INITIALIZED = 3,
  INVALID_DEVICE = 101,
  INVALID_IMAGE = 200,
  INVALID_CONTEXT = 201,
  INVALID_PTX = 218,
  FILE_NOT_FOUND = 301,
  INVALID_HANDLE = 400,
  NOT_FOUND = 500,
  LAUNCH_OUT_OF_RESOURCES = 701,
  NOT_SUPPORTED = 801,
};

constexpr int DRIVER_VERSION = 13000;  // CUDA 13.0, what the shipped PTX (nvcc 13.0, ISA 9.0) needs
constexpr int DEFAULT_SHARED_BYTES = 48 * 1024;
constexpr int OPTIN_SHARED_BYTES = 227 * 1024;
constexpr unsigned long long DEVICE_BYTES = 80ULL << 30;
const char* const DEVICE_NAME = "statespace CUDA emulator (CPU, libcuda.so.1 stand-in)";

struct Context {
  int device;
};

struct Function {
  std::string name;
  BlockFunction run;
  int maxDynamicShared = DEFAULT_SHARED_BYTES;
};

struct Module {
  void* library;
  std::string path;
  std::map<std::string, Function*> functions;
};

struct Stream {
  unsigned flags;
};

struct Event {
  std::chrono::steady_clock::time_point at;
  bool recorded = false;
};

struct Allocation {
  char* mapping;
  size_t mapped;
  size_t bytes;
};

std::atomic<bool> initialised{false};
Context primary{0};
thread_local Context* current = nullptr;
std::mutex lock;
std::map<unsigned long long, Allocation> allocations;  // by start address
unsigned long long allocatedBytes = 0;
std::atomic<unsigned long long> launches{0};

Result fail(Result r, const char* call, const std::string& why) {
  fprintf(stderr, "cuda emulator: %s: %s\n", call, why.c_str());
  return r;
}

int envInt(const char* name, int fallback) {
  const char* v = getenv(name);
  return v != nullptr && *v != 0 ? atoi(v) : fallback;
}

int order() {
  const char* v = getenv("STATESPACE_CUDA_EMULATOR_ORDER");
  std::string s = v == nullptr ? "shuffle" : v;
  if (s == "forward") return cuda_emulation::ORDER_FORWARD;
  if (s == "reverse") return cuda_emulation::ORDER_REVERSE;
  return cuda_emulation::ORDER_SHUFFLE;
}

bool needContext(const char* call, Result* r) {
  if (!initialised) {
    *r = fail(NOT_INITIALIZED, call, "cuInit has not been called");
    return false;
  }
  if (current == nullptr) {
    *r = fail(INVALID_CONTEXT, call, "no current context on this thread (cuCtxSetCurrent)");
    return false;
  }
  return true;
}

// The allocation that holds [address, address + bytes), or null.
const Allocation* containing(unsigned long long address, size_t bytes) {
  auto it = allocations.upper_bound(address);
  if (it == allocations.begin()) return nullptr;
  --it;
  unsigned long long start = it->first;
  if (address < start || address + bytes > start + it->second.bytes) return nullptr;
  return &it->second;
}

std::string describe(unsigned long long address, size_t bytes) {
  std::ostringstream s;
  s << "[0x" << std::hex << address << ", +" << std::dec << bytes << " bytes) is not inside one device allocation";
  return s.str();
}

// Device memory: the bytes end at a PROT_NONE page (and start after one), filled with 0xff (NaN doubles,
// -1 ints) as uninitialised GPU memory would be garbage.
void* mapGuarded(size_t bytes, char** mappingOut, size_t* mappedOut) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t rounded = (std::max<size_t>(bytes, 8) + 7) & ~size_t(7);
  size_t body = (rounded + page - 1) / page * page;
  size_t mapped = body + 2 * page;
  void* m = mmap(nullptr, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  char* base = static_cast<char*>(m);
  if (mprotect(base + page, body, PROT_READ | PROT_WRITE) != 0) {
    munmap(m, mapped);
    return nullptr;
  }
  memset(base + page, 0xff, body);
  *mappingOut = base;
  *mappedOut = mapped;
  return base + page + body - rounded;
}

// The kernel names of a PTX text (.entry NAME), in order.
std::vector<std::string> entries(const char* ptx) {
  std::vector<std::string> out;
  const char* p = ptx;
  while ((p = strstr(p, ".entry ")) != nullptr) {
    p += 7;
    const char* e = p;
    while (*e == '_' || isalnum(static_cast<unsigned char>(*e))) e++;
    out.emplace_back(p, e);
    p = e;
  }
  return out;
}

std::string kernelDirectory() {
  const char* v = getenv("STATESPACE_CUDA_EMULATOR_KERNELS");
  if (v != nullptr && *v != 0) return v;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&kernelDirectory), &info) != 0 && info.dli_fname != nullptr) {
    std::string self = info.dli_fname;
    size_t slash = self.rfind('/');
    return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/kernels";
  }
  return "kernels";
}

void runBlocks(Function* f, const unsigned grid[3], const unsigned block[3], unsigned shared, void** params) {
  const unsigned long long blocks = (unsigned long long)grid[0] * grid[1] * grid[2];
  const unsigned long long seed = launches.fetch_add(1);
  const int ord = order();
  unsigned workers = (unsigned)envInt("STATESPACE_CUDA_EMULATOR_THREADS", (int)std::thread::hardware_concurrency());
  workers = (unsigned)std::max<unsigned long long>(1, std::min<unsigned long long>(blocks, std::max(1u, workers)));
  std::atomic<unsigned long long> next{0};
  auto work = [&]() {
    LaunchBlock b;
    b.params = params;
    memcpy(b.grid, grid, sizeof b.grid);
    memcpy(b.block, block, sizeof b.block);
    b.sharedBytes = shared;
    b.order = ord;
    b.seed = seed;
    for (unsigned long long i; (i = next.fetch_add(1)) < blocks;) {
      b.index[0] = (unsigned)(i % grid[0]);
      b.index[1] = (unsigned)((i / grid[0]) % grid[1]);
      b.index[2] = (unsigned)(i / ((unsigned long long)grid[0] * grid[1]));
      f->run(&b);
    }
  };
  // Blocks run on threads of their own, never on the caller's (a JVM thread), because the fibers switch
  // stacks and the JVM's signal handlers expect a thread's stack to be its own.
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; w++) pool.emplace_back(work);
  for (std::thread& t : pool) t.join();
}

}  // namespace

extern "C" {

typedef struct {
  char bytes[16];
} CUuuid;

int cuInit(unsigned flags) {
  if (flags != 0) return fail(INVALID_VALUE, "cuInit", "flags must be 0");
  initialised = true;
  return SUCCESS;
}

int cuDriverGetVersion(int* version) {
  if (version == nullptr) return INVALID_VALUE;
  *version = DRIVER_VERSION;
  return SUCCESS;
}

int cuDeviceGetCount(int* count) {
  if (!initialised) return NOT_INITIALIZED;
  *count = 1;
  return SUCCESS;
}

int cuDeviceGet(int* device, int ordinal) {
  if (!initialised) return NOT_INITIALIZED;
  if (ordinal != 0) return fail(INVALID_DEVICE, "cuDeviceGet", "ordinal " + std::to_string(ordinal) + " (one device)");
  *device = 0;
  return SUCCESS;
}

int cuDeviceGetName(char* name, int length, int device) {
  if (!initialised) return NOT_INITIALIZED;
  if (device != 0) return INVALID_DEVICE;
  if (name == nullptr || length <= 0) return INVALID_VALUE;
  snprintf(name, (size_t)length, "%s", DEVICE_NAME);
  return SUCCESS;
}

int cuDeviceTotalMem_v2(size_t* bytes, int device) {
  if (!initialised) return NOT_INITIALIZED;
  if (device != 0) return INVALID_DEVICE;
  *bytes = DEVICE_BYTES;
  return SUCCESS;
}

int cuDeviceGetUuid(CUuuid* uuid, int device) {
  if (!initialised) return NOT_INITIALIZED;
  if (device != 0) return INVALID_DEVICE;
  static const char id[16] = {'s', 't', 'a', 't', 'e', 's', 'p', 'a', 'c', 'e', '-', 'e', 'm', 'u', 'l', 0};
  memcpy(uuid->bytes, id, 16);
  return SUCCESS;
}

int cuDeviceGetAttribute(int* value, int attribute, int device) {
  if (!initialised) return NOT_INITIALIZED;
  if (device != 0) return INVALID_DEVICE;
  switch (attribute) {
    case 1: *value = 1024; break;                                  // max threads per block
    case 2: case 3: *value = 1024; break;                          // max block dim x, y
    case 4: *value = 64; break;                                    // max block dim z
    case 5: *value = 2147483647; break;                            // max grid dim x
    case 6: case 7: *value = 65535; break;                         // max grid dim y, z
    case 8: *value = DEFAULT_SHARED_BYTES; break;                  // shared memory per block
    case 10: *value = 32; break;                                   // warp size
    case 16: *value = envInt("STATESPACE_CUDA_EMULATOR_SMS", 132); break;  // multiprocessors
    case 75: *value = 9; break;                                    // compute capability 9.0
    case 76: *value = 0; break;
    case 97: *value = OPTIN_SHARED_BYTES; break;                   // opt-in shared memory per block
    default: return fail(INVALID_VALUE, "cuDeviceGetAttribute", "attribute " + std::to_string(attribute) + " is not emulated");
  }
  return SUCCESS;
}

int cuDevicePrimaryCtxRetain(void** context, int device) {
  if (!initialised) return NOT_INITIALIZED;
  if (device != 0) return INVALID_DEVICE;
  *context = &primary;
  return SUCCESS;
}

int cuCtxSetCurrent(void* context) {
  if (!initialised) return NOT_INITIALIZED;
  if (context != nullptr && context != &primary) return fail(INVALID_CONTEXT, "cuCtxSetCurrent", "unknown context");
  current = static_cast<Context*>(context);
  return SUCCESS;
}

int cuCtxSynchronize() {
  Result r;
  return needContext("cuCtxSynchronize", &r) ? SUCCESS : r;
}

int cuModuleLoadData(void** module, const void* image) {
  Result r;
  if (!needContext("cuModuleLoadData", &r)) return r;
  if (image == nullptr) return INVALID_VALUE;
  std::vector<std::string> names = entries(static_cast<const char*>(image));
  if (names.empty()) return fail(INVALID_PTX, "cuModuleLoadData", "the image declares no .entry (not PTX text?)");
  // The module's shape is that of its model kernel: batch_<kind>_n<N>_m<M>.
  std::string shape;
  for (const std::string& n : names) {
    if (n.rfind("batch_", 0) == 0 && n.rfind("batch_stats_", 0) != 0) shape = n.substr(6);
  }
  if (shape.empty()) return fail(INVALID_PTX, "cuModuleLoadData", "no batch_<shape> entry names the module's shape");
  Module* m = new Module();
  m->path = kernelDirectory() + "/" + shape + ".so";
  m->library = dlopen(m->path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (m->library == nullptr) {
    std::string why = dlerror();
    delete m;
    return fail(FILE_NOT_FOUND, "cuModuleLoadData", "no emulated kernels for " + shape + ": " + why);
  }
  // The PTX and the library come from the same sources only if they declare the same kernels.
  auto list = reinterpret_cast<KernelListFunction>(dlsym(m->library, CUDA_EMULATION_KERNEL_LIST));
  std::set<std::string> emulated;
  if (list != nullptr) {
    std::istringstream in(list());
    for (std::string n; in >> n;) emulated.insert(n);
  }
  std::set<std::string> declared(names.begin(), names.end());
  if (declared != emulated) {
    dlclose(m->library);
    delete m;
    return fail(INVALID_PTX, "cuModuleLoadData",
        "the PTX module " + shape + " and its emulated library declare different kernels (rebuild one of them)");
  }
  for (const std::string& n : names) {
    auto run = reinterpret_cast<BlockFunction>(dlsym(m->library, (CUDA_EMULATION_BLOCK_PREFIX + n).c_str()));
    m->functions[n] = new Function{n, run};
  }
  *module = m;
  return SUCCESS;
}

int cuModuleGetFunction(void** function, void* module, const char* name) {
  Result r;
  if (!needContext("cuModuleGetFunction", &r)) return r;
  if (module == nullptr) return INVALID_HANDLE;
  Module* m = static_cast<Module*>(module);
  auto it = m->functions.find(name);
  if (it == m->functions.end()) return fail(NOT_FOUND, "cuModuleGetFunction", std::string("no kernel ") + name + " in " + m->path);
  *function = it->second;
  return SUCCESS;
}

int cuFuncSetAttribute(void* function, int attribute, int value) {
  if (function == nullptr) return INVALID_HANDLE;
  if (attribute != 8) return fail(NOT_SUPPORTED, "cuFuncSetAttribute", "attribute " + std::to_string(attribute) + " is not emulated");
  if (value < 0 || value > OPTIN_SHARED_BYTES) return INVALID_VALUE;
  static_cast<Function*>(function)->maxDynamicShared = value;
  return SUCCESS;
}

int cuFuncGetAttribute(int* value, int attribute, void* function) {
  if (function == nullptr) return INVALID_HANDLE;
  switch (attribute) {
    case 0: *value = 1024; return SUCCESS;  // max threads per block
    case 8: *value = static_cast<Function*>(function)->maxDynamicShared; return SUCCESS;
    default: return fail(NOT_SUPPORTED, "cuFuncGetAttribute", "attribute " + std::to_string(attribute) + " is not emulated");
  }
}

int cuMemAlloc_v2(unsigned long long* address, size_t bytes) {
  Result r;
  if (!needContext("cuMemAlloc", &r)) return r;
  if (bytes == 0) return INVALID_VALUE;
  char* mapping;
  size_t mapped;
  void* p = mapGuarded(bytes, &mapping, &mapped);
  if (p == nullptr) return OUT_OF_MEMORY;
  std::lock_guard<std::mutex> g(lock);
  allocations[reinterpret_cast<unsigned long long>(p)] = Allocation{mapping, mapped, bytes};
  allocatedBytes += bytes;
  *address = reinterpret_cast<unsigned long long>(p);
  return SUCCESS;
}

int cuMemFree_v2(unsigned long long address) {
  Result r;
  if (!needContext("cuMemFree", &r)) return r;
  std::lock_guard<std::mutex> g(lock);
  auto it = allocations.find(address);
  if (it == allocations.end()) return fail(INVALID_VALUE, "cuMemFree", describe(address, 0));
  munmap(it->second.mapping, it->second.mapped);
  allocatedBytes -= it->second.bytes;
  allocations.erase(it);
  return SUCCESS;
}

int cuMemGetInfo_v2(size_t* free, size_t* total) {
  Result r;
  if (!needContext("cuMemGetInfo", &r)) return r;
  std::lock_guard<std::mutex> g(lock);
  *total = DEVICE_BYTES;
  *free = DEVICE_BYTES > allocatedBytes ? DEVICE_BYTES - allocatedBytes : 0;
  return SUCCESS;
}

int cuMemAllocHost_v2(void** pointer, size_t bytes) {
  Result r;
  if (!needContext("cuMemAllocHost", &r)) return r;
  void* p = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
  if (p == nullptr) return OUT_OF_MEMORY;
  *pointer = p;
  return SUCCESS;
}

int cuMemFreeHost(void* pointer) {
  Result r;
  if (!needContext("cuMemFreeHost", &r)) return r;
  free(pointer);
  return SUCCESS;
}

// Copies and fills run at once (the caller's stream is in order anyway); each must stay in one allocation.
int cuMemcpyHtoDAsync_v2(unsigned long long dst, const void* src, size_t bytes, void*) {
  Result r;
  if (!needContext("cuMemcpyHtoDAsync", &r)) return r;
  {
    std::lock_guard<std::mutex> g(lock);
    if (containing(dst, bytes) == nullptr) return fail(INVALID_VALUE, "cuMemcpyHtoDAsync", describe(dst, bytes));
  }
  memcpy(reinterpret_cast<void*>(dst), src, bytes);
  return SUCCESS;
}

int cuMemcpyDtoHAsync_v2(void* dst, unsigned long long src, size_t bytes, void*) {
  Result r;
  if (!needContext("cuMemcpyDtoHAsync", &r)) return r;
  {
    std::lock_guard<std::mutex> g(lock);
    if (containing(src, bytes) == nullptr) return fail(INVALID_VALUE, "cuMemcpyDtoHAsync", describe(src, bytes));
  }
  memcpy(dst, reinterpret_cast<const void*>(src), bytes);
  return SUCCESS;
}

int cuMemcpyDtoDAsync_v2(unsigned long long dst, unsigned long long src, size_t bytes, void*) {
  Result r;
  if (!needContext("cuMemcpyDtoDAsync", &r)) return r;
  {
    std::lock_guard<std::mutex> g(lock);
    if (containing(dst, bytes) == nullptr) return fail(INVALID_VALUE, "cuMemcpyDtoDAsync", describe(dst, bytes));
    if (containing(src, bytes) == nullptr) return fail(INVALID_VALUE, "cuMemcpyDtoDAsync", describe(src, bytes));
  }
  memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  return SUCCESS;
}

int cuMemsetD32Async(unsigned long long dst, unsigned value, size_t count, void*) {
  Result r;
  if (!needContext("cuMemsetD32Async", &r)) return r;
  if (dst % 4 != 0) return fail(INVALID_VALUE, "cuMemsetD32Async", "address not 4-byte aligned");
  {
    std::lock_guard<std::mutex> g(lock);
    if (containing(dst, count * 4) == nullptr) return fail(INVALID_VALUE, "cuMemsetD32Async", describe(dst, count * 4));
  }
  unsigned* p = reinterpret_cast<unsigned*>(dst);
  for (size_t i = 0; i < count; i++) p[i] = value;
  return SUCCESS;
}

int cuStreamCreate(void** stream, unsigned flags) {
  Result r;
  if (!needContext("cuStreamCreate", &r)) return r;
  *stream = new Stream{flags};
  return SUCCESS;
}

int cuStreamDestroy_v2(void* stream) {
  Result r;
  if (!needContext("cuStreamDestroy", &r)) return r;
  delete static_cast<Stream*>(stream);
  return SUCCESS;
}

int cuStreamSynchronize(void*) {
  Result r;
  return needContext("cuStreamSynchronize", &r) ? SUCCESS : r;
}

int cuEventCreate(void** event, unsigned) {
  Result r;
  if (!needContext("cuEventCreate", &r)) return r;
  *event = new Event();
  return SUCCESS;
}

int cuEventRecord(void* event, void*) {
  Result r;
  if (!needContext("cuEventRecord", &r)) return r;
  if (event == nullptr) return INVALID_HANDLE;
  Event* e = static_cast<Event*>(event);
  e->at = std::chrono::steady_clock::now();
  e->recorded = true;
  return SUCCESS;
}

int cuEventSynchronize(void* event) { return event == nullptr ? INVALID_HANDLE : SUCCESS; }

int cuEventQuery(void* event) { return event == nullptr ? INVALID_HANDLE : SUCCESS; }

int cuEventElapsedTime(float* ms, void* start, void* end) {
  if (start == nullptr || end == nullptr) return INVALID_HANDLE;
  Event* a = static_cast<Event*>(start);
  Event* b = static_cast<Event*>(end);
  if (!a->recorded || !b->recorded) return fail(INVALID_HANDLE, "cuEventElapsedTime", "event not recorded");
  *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
  return SUCCESS;
}

int cuEventDestroy_v2(void* event) {
  delete static_cast<Event*>(event);
  return SUCCESS;
}

int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
    unsigned shared, void*, void** params, void** extra) {
  Result r;
  if (!needContext("cuLaunchKernel", &r)) return r;
  if (function == nullptr) return INVALID_HANDLE;
  Function* f = static_cast<Function*>(function);
  const char* call = "cuLaunchKernel";
  if (extra != nullptr) return fail(NOT_SUPPORTED, call, f->name + ": the extra argument form is not emulated");
  if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) {
    return fail(INVALID_VALUE, call, f->name + ": a zero grid or block dimension");
  }
  if (gx > 2147483647u || gy > 65535 || gz > 65535) return fail(INVALID_VALUE, call, f->name + ": grid too large");
  if (bx > 1024 || by > 1024 || bz > 64 || (unsigned long long)bx * by * bz > 1024) {
    return fail(INVALID_VALUE, call, f->name + ": more than 1024 threads per block");
  }
  if ((int)shared > f->maxDynamicShared) {
    return fail(INVALID_VALUE, call, f->name + ": " + std::to_string(shared) + " bytes of dynamic shared memory, limit "
        + std::to_string(f->maxDynamicShared));
  }
  if (getenv("STATESPACE_CUDA_EMULATOR_TRACE") != nullptr) {
    fprintf(stderr, "cuda emulator: %s<<<(%u,%u,%u), (%u,%u,%u), %u>>>\n", f->name.c_str(), gx, gy, gz, bx, by, bz, shared);
  }
  const unsigned grid[3] = {gx, gy, gz};
  const unsigned block[3] = {bx, by, bz};
  runBlocks(f, grid, block, shared, params);
  return SUCCESS;
}

int cuGetErrorName(int error, const char** text) {
  static thread_local std::string s;
  s = "CUDA emulator error " + std::to_string(error);
  *text = s.c_str();
  return SUCCESS;
}

int cuGetErrorString(int error, const char** text) { return cuGetErrorName(error, text); }

}  // extern "C"
