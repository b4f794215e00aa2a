#!/usr/bin/env bash
# Fuzzes audittop's parsers with libFuzzer.
#
#   Fuzz/run.sh TARGET [RUNS]     one target, RUNS inputs (default 10,000,000)
#   Fuzz/run.sh --quick [SECONDS] every target for SECONDS each (default 30), for CI
#   Fuzz/run.sh --list            the targets
#
# Targets (Fuzz/Targets/NAME.swift): decoder (bytes as a stream through StreamDecoder and
# EventDecoder into an EventStore with the built-in rules) and filter (the filter language,
# which is also the rules files' condition language). AuditCore and CAuditScan are compiled
# straight from Sources/ with -sanitize=fuzzer and AddressSanitizer (FUZZ_SANITIZE overrides,
# e.g. FUZZ_SANITIZE=fuzzer for speed), so no SwiftPM package is involved.
#
# Seeds are in Fuzz/Seeds/TARGET (read only: small inputs from the tests' fixtures and
# the shared corpus, and found-* inputs that once crashed); what libFuzzer finds grows in
# Fuzz/.build/corpus/TARGET; a crashing input is saved as Fuzz/.build/crashes/TARGET-*, and
# the run exits non-zero. Reproduce one with: Fuzz/.build/fuzz-TARGET FILE
# The fuzzers run under nice, one process per target, so the machine stays usable.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/Fuzz/.build
sanitize=${FUZZ_SANITIZE:-fuzzer,address}
max_len=${FUZZ_MAX_LEN:-4096}
targets=$(cd Fuzz/Targets && ls -- *.swift | sed 's/\.swift$//')

usage() { sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Builds Fuzz/.build/fuzz-$1 when a source is newer than it (or the sanitizers changed).
build_target() {
  local target=$1 bin=$build/fuzz-$1
  mkdir -p "$build/include"
  if [ -x "$bin" ] && [ "$(cat "$build/sanitize" 2>/dev/null)" = "$sanitize" ] \
    && [ -z "$(find Sources/AuditCore Sources/CAuditScan "Fuzz/Targets/$target.swift" -newer "$bin" -print -quit)" ]; then
    return 0
  fi
  echo "building $target with -sanitize=$sanitize" >&2
  if [ "$(cat "$build/sanitize" 2>/dev/null)" != "$sanitize" ] || [ ! -f "$build/AuditCore.o" ] \
    || [ -n "$(find Sources/AuditCore Sources/CAuditScan Sources/CZlib Sources/CLZ4 -newer "$build/AuditCore.o" -print -quit)" ]; then
    printf 'module CAuditScan {\n  header "%s"\n  export *\n}\n' "$root/Sources/CAuditScan/include/audit_scan.h" \
      > "$build/include/module.modulemap"
    for c in Sources/CAuditScan/*.c; do
      clang -c -O2 -fsanitize="${sanitize/fuzzer/fuzzer-no-link}" -I Sources/CAuditScan/include \
        "$c" -o "$build/$(basename "$c" .c).o"
    done
    # The same settings as Package.swift's AuditCore target, optimised as a release build.
    swiftc -swift-version 6 -O -wmo -parse-as-library -sanitize="$sanitize" \
      -enable-upcoming-feature ExistentialAny -enforce-exclusivity=unchecked \
      -module-name AuditCore -emit-module -emit-module-path "$build/AuditCore.swiftmodule" \
      -I "$build/include" -I Sources/CZlib -I Sources/CLZ4 -c $(find Sources/AuditCore -name '*.swift' | sort) -o "$build/AuditCore.o"
    echo "$sanitize" > "$build/sanitize"
  fi
  swiftc -swift-version 6 -O -parse-as-library -sanitize="$sanitize" -enable-upcoming-feature ExistentialAny \
    -I "$build" -I "$build/include" -I Sources/CZlib -I Sources/CLZ4 "Fuzz/Targets/$target.swift" "$build/AuditCore.o" "$build"/audit_*.o \
    -lz -llz4 -o "$bin" 2> >(grep -v "Cannot export local symbol '__asan" >&2)
}

# fuzz TARGET LIBFUZZER-OPTIONS...: runs one target over its corpus and seeds.
fuzz() {
  local target=$1; shift
  [ -f "Fuzz/Targets/$target.swift" ] || { echo "no fuzz target '$target'; targets: $(echo $targets)" >&2; exit 2; }
  build_target "$target"
  mkdir -p "$build/corpus/$target" "$build/crashes"
  # A Swift runtime failure (precondition, overflow, fatalError) is a crash: no interactive
  # backtrace, and libFuzzer saves the input.
  # -detect_leaks=0: swift-corelibs-foundation leaks the CF object of every regular expression
  # that fails to compile (NSRegularExpression(pattern:) throwing), which is not ours to fix;
  # libFuzzer's -rss_limit_mb (2 GB) still stops runaway memory.
  # LSAN_OPTIONS: the exit-time leak check skips the rule trees (see Fuzz/lsan.supp).
  LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
  SWIFT_BACKTRACE=enable=no nice "$build/fuzz-$target" -max_len="$max_len" -print_final_stats=1 -detect_leaks=0 \
    -artifact_prefix="$build/crashes/$target-" "$@" "$build/corpus/$target" "Fuzz/Seeds/$target"
}

case "${1:-}" in
  --list) echo "$targets" ;;
  --quick)
    seconds=${2:-30}
    for t in $targets; do
      echo "== fuzz $t for ${seconds} s"
      fuzz "$t" -max_total_time="$seconds"
    done
    ;;
  ""|-*) usage ;;
  *) fuzz "$1" -runs="${2:-10000000}" ;;
esac
