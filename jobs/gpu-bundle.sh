#!/usr/bin/env bash
# Prepares a self-contained folder for running the GPU harness on a machine without Java or Maven (the
# lent GPU machine): a jlink Java runtime, the jars the harness needs (statespace, EJML, JCuda, XChart),
# JCuda's driver library pre-extracted (loaded through java.library.path, so nothing is extracted at run
# time), the system libraries and a font for headless PNG rendering, and a launcher. Fails if the folder
# is larger than 64 MiB, the limit on what travels to the GPU machine (docs/GPU.md).
# Usage: jobs/gpu-bundle.sh [DIR]   (default: .gpu-bundle in the repository root, git-ignored)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/.gpu-bundle}"
LIMIT=$((64 * 1024 * 1024))

source "$ROOT/jobs/lib.sh"
ensure_built
JAR="$(ls "$ROOT"/target/statespace-*.jar | grep -v -- '-spark.jar$' | head -n 1)"
CP="$(cat "$ROOT/target/classpath.txt")"
pick() { tr ':' '\n' <<<"$CP" | grep -E "/$1-[0-9][^/]*\.jar$" | head -n 1; }

rm -rf "$OUT"
mkdir -p "$OUT/lib" "$OUT/native" "$OUT/syslib" "$OUT/fonts"
cp "$JAR" "$OUT/lib/statespace.jar"
for a in ejml-core ejml-ddense jcuda xchart; do
  j="$(pick "$a")"
  [[ -n "$j" ]] || { echo "gpu-bundle: $a not on the classpath" >&2; exit 1; }
  cp "$j" "$OUT/lib/"
done
NATIVES="$(tr ':' '\n' <<<"$CP" | grep -E '/jcuda-natives-[^/]*-linux-x86_64\.jar$' | head -n 1)"
unzip -q -j -o "$NATIVES" 'lib/libJCudaDriver-*-linux-x86_64.so' -d "$OUT/native"

# Modules: what jdeps finds in the jars, plus java.logging (JCuda's loader logs through it).
MODULES="$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps "$OUT"/lib/*.jar 2>/dev/null || true)"
MODULES="${MODULES:-java.base,java.desktop}"
MODULES="$MODULES,java.logging"
# Headless rendering never loads the X11 toolkit, sound or the splash screen: leave their libraries out.
jlink --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --exclude-files='**/libawt_xawt.so,**/libsplashscreen.so,**/libjsound.so' --output "$OUT/runtime"

# Headless PNG rendering needs FreeType, HarfBuzz and fontconfig, which a CUDA image may lack: copy the
# libraries the runtime's font and AWT code load (not glibc or libstdc++, present everywhere), and a font.
closure() { ldd "$@" 2>/dev/null | awk '/=> \//{print $3}' | sort -u; }
SKIP='/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so'
FONTCONFIG="$(ldconfig -p | awk '/libfontconfig\.so\.1 /{print $NF; exit}')"
for lib in $(closure "$OUT"/runtime/lib/libfontmanager.so "$OUT"/runtime/lib/libawt.so "$OUT"/runtime/lib/libawt_headless.so ${FONTCONFIG:+"$FONTCONFIG"}) ${FONTCONFIG:-}; do
  if [[ "$lib" =~ $SKIP || "$lib" == "$OUT"/* ]]; then continue; fi
  cp -L "$lib" "$OUT/syslib/"
done
for f in DejaVuSans.ttf; do
  src="$(fc-list 2>/dev/null | awk -F: -v f="$f" '$1 ~ "/" f "$" {print $1; exit}')"
  [[ -n "$src" ]] && cp "$src" "$OUT/fonts/"
done

cat > "$OUT/gpu-check.sh" <<'LAUNCHER'
#!/usr/bin/env bash
# Runs io.statespace.gpu.check.GpuCheck with the bundled runtime; arguments as for jobs/gpu-check.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF="$(mktemp -d)/fonts.conf"
cat > "$CONF" <<CONFEOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$HERE/fonts</dir><dir>/usr/share/fonts</dir><cachedir>$(dirname "$CONF")/cache</cachedir></fontconfig>
CONFEOF
export FONTCONFIG_FILE="$CONF"
export LD_LIBRARY_PATH="$HERE/syslib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$HERE/runtime/bin/java" -Xmx"${GPU_CHECK_HEAP:-32g}" -Djava.awt.headless=true \
  -Djava.library.path="$HERE/native" -cp "$HERE/lib/*" io.statespace.gpu.check.GpuCheck "$@"
LAUNCHER
chmod +x "$OUT/gpu-check.sh"

SIZE="$(du -sb "$OUT" | cut -f1)"
# What travels besides the bundle: tracked and untracked-but-not-ignored files.
TREE="$(cd "$ROOT" && git ls-files -z -co --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)"
printf 'gpu-bundle: %s: %.1f MiB (runtime %.1f, jars %.1f, native %.1f, system libraries %.1f, fonts %.1f);' \
  "$OUT" "$(bc -l <<<"$SIZE/1048576")" \
  "$(bc -l <<<"$(du -sb "$OUT/runtime" | cut -f1)/1048576")" "$(bc -l <<<"$(du -sb "$OUT/lib" | cut -f1)/1048576")" \
  "$(bc -l <<<"$(du -sb "$OUT/native" | cut -f1)/1048576")" "$(bc -l <<<"$(du -sb "$OUT/syslib" | cut -f1)/1048576")" \
  "$(bc -l <<<"$(du -sb "$OUT/fonts" | cut -f1)/1048576")"
printf ' with the working tree (%.1f MiB) %.1f MiB of the 64 MiB limit\n' "$(bc -l <<<"$TREE/1048576")" \
  "$(bc -l <<<"($SIZE+$TREE)/1048576")"
if (( SIZE + TREE > LIMIT )); then
  echo "gpu-bundle: too large to carry to the GPU machine (limit 64 MiB with the working tree)" >&2
  exit 1
fi
