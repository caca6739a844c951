#!/usr/bin/env bash
# Builds the libFuzzer targets (if needed) and runs each for a while, one at a
# time, on a copy of its seed corpus (docs/FUZZING.md).
#
#   tests/fuzz/run.sh [--time=DURATION] [--jobs=N] [--build-dir=DIR]
#                     [--work-dir=DIR] [--keep] [--no-build] [TARGET...]
#                     [-- LIBFUZZER_FLAG...]
#
#   TARGET          command envelope snapshot keys page_token tokens_file
#                   field_flags (default: all of them)
#   --time          how long each target runs: 90 (seconds), 30s, 5m, 1h
#                   (default 60s)
#   --jobs          parallel compile jobs (default $SALESOPS_JOBS, else the
#                   number of cores)
#   --build-dir     the fuzz build directory (default $SALESOPS_FUZZ_BUILD_DIR,
#                   else build-fuzz at the top of the repository)
#   --work-dir      where the corpus copies, logs and crash inputs go (default:
#                   a new directory under $TMPDIR); kept when a target fails
#   --keep          keep the work directory even when every target passed
#   --no-build      use the binaries as they are
#   -- FLAGS        passed on to every target (e.g. -- -entropic=1 -dict=F)
#
# Every target runs with -entropic=0: libFuzzer's entropic schedule (its
# default) updates a frequency for every feature an input covers, and the
# targets that fold views cover thousands per input; measured, it cut their
# executions per second by 5 to 10 times.
#
# The build uses clang (Debian: clang, libclang-rt-14-dev), Ninja when it is
# installed, and CMAKE_CXX_COMPILER_LAUNCHER from the environment when set (e.g. ccache).
# Per target it prints the executions, exec/s, the coverage before and after
# (libFuzzer's "cov", covered edges) and the inputs it added, and the crashes.
# Exits 1 when any target crashed, leaked, ran out of memory or timed out on
# an input, naming the saved input; 64 for a usage error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
all_targets=(command envelope snapshot keys page_token tokens_file field_flags)

time_arg=60s
jobs="${SALESOPS_JOBS:-$(nproc)}"
build_dir="${SALESOPS_FUZZ_BUILD_DIR:-$root/build-fuzz}"
work_dir=""
keep=0
build=1
targets=()
extra=()

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 64
}

while [ $# -gt 0 ]; do
  arg="$1"
  shift
  case "$arg" in
    --) extra=("$@"); break ;;
    --time=*) time_arg="${arg#--time=}" ;;
    --jobs=*) jobs="${arg#--jobs=}" ;;
    --build-dir=*) build_dir="${arg#--build-dir=}" ;;
    --work-dir=*) work_dir="${arg#--work-dir=}" ;;
    --keep) keep=1 ;;
    --no-build) build=0 ;;
    -h | --help) usage ;;
    -*) echo "run.sh: unknown option $arg" >&2; usage ;;
    *)
      if [[ ! " ${all_targets[*]} " == *" $arg "* ]]; then
        echo "run.sh: unknown target '$arg' (targets: ${all_targets[*]})" >&2
        exit 64
      fi
      targets+=("$arg")
      ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# DURATION -> seconds.
case "$time_arg" in
  *[!0-9smh]* | "" | [smh]*) echo "run.sh: bad --time '$time_arg' (e.g. 90, 30s, 5m, 1h)" >&2; exit 64 ;;
  *s) seconds="${time_arg%s}" ;;
  *m) seconds=$((${time_arg%m} * 60)) ;;
  *h) seconds=$((${time_arg%h} * 3600)) ;;
  *) seconds="$time_arg" ;;
esac
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "run.sh: bad --time '$time_arg' (e.g. 90, 30s, 5m, 1h)" >&2
  exit 64
fi

log() { printf '==> %s\n' "$*" >&2; }

if [ "$build" = 1 ]; then
  if [ -f "$build_dir/CMakeCache.txt" ] && ! grep -qs '^SALESOPS_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt"; then
    echo "run.sh: $build_dir is a build directory without SALESOPS_FUZZ=ON; give another --build-dir" >&2
    exit 64
  fi
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    log "configuring the fuzz build in $build_dir"
    launcher=()
    [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ] ||
      launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$CMAKE_CXX_COMPILER_LAUNCHER")
    # -O1 and line tables, as OSS-Fuzz builds its targets: about as fast to
    # run as -O2, quicker to build, and every report still names its lines.
    # A Debug build keeps the libraries' debug checks on.
    generator=()
    ! command -v ninja >/dev/null || generator=(-G Ninja)
    cmake -S "$root" -B "$build_dir" "${generator[@]}" --no-warn-unused-cli -DSALESOPS_FUZZ=ON \
      -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" "${launcher[@]}" >/dev/null
  fi
  log "building ${targets[*]/#/fuzz_} in $build_dir"
  cmake --build "$build_dir" -j"$jobs" --target "${targets[@]/#/fuzz_}"
fi

if [ -z "$work_dir" ]; then
  work_dir="$(mktemp -d "${TMPDIR:-/tmp}/salesops-fuzz.XXXXXX")"
else
  mkdir -p "$work_dir"
fi

# Reports name files and lines: ASan needs llvm-symbolizer, which Debian's
# clang brings as llvm-symbolizer-14 (the unversioned name comes with the
# llvm package). Stack traces of UBSan reports too.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null; then
  for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do [ -x "$s" ] && export ASAN_SYMBOLIZER_PATH="$s"; done
fi
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

# stat NAME LOG: libFuzzer's final statistic NAME from LOG (empty if none).
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
# cov WHAT LOG: the coverage on libFuzzer's first line with WHAT (INITED, DONE).
cov() { sed -n "s/.*$1 cov: \([0-9]*\).*/\1/p" "$2" | head -1; }

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build_dir/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "run.sh: $bin is missing (build it, or drop --no-build)" >&2; exit 1; }
  dir="$work_dir/$t"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -d "$root/tests/fuzz/corpus/$t" ]; then cp -R "$root/tests/fuzz/corpus/$t/." "$dir/corpus/"; fi
  log "fuzzing $t for ${seconds}s (corpus $dir/corpus)"
  status=0
  "$bin" "$dir/corpus" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -entropic=0 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${extra[@]}" >"$dir/log" 2>&1 || status=$?

  execs="$(stat number_of_executed_units "$dir/log")"
  # After a crash there are no final statistics: the last status line's count.
  [ -n "$execs" ] || execs="$(sed -n 's/^#\([0-9]*\).*/\1/p' "$dir/log" | tail -1)"
  rate="$(stat average_exec_per_sec "$dir/log")"
  added="$(stat new_units_added "$dir/log")"
  before="$(cov INITED "$dir/log")"
  after="$(cov DONE "$dir/log")"
  [ -n "$after" ] || after="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$dir/log" | tail -1)"
  mapfile -t found < <(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | sort)
  line="$(printf '%-12s execs %10s  exec/s %7s  cov %5s -> %-5s  new inputs %5s  crashes %d' \
    "$t" "${execs:-?}" "${rate:-?}" "${before:-?}" "${after:-?}" "${added:-0}" "${#found[@]}")"
  echo "$line"
  summary+=("$line")
  if [ "$status" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    failed+=("$t")
    echo "FAILED: $t (libFuzzer exit $status); its log: $dir/log" >&2
    grep -E 'ERROR: |SUMMARY: |fuzz invariant broken|runtime error' "$dir/log" | head -5 >&2 || true
    for f in "${found[@]}"; do
      echo "  input: $f" >&2
      echo "  reproduce: $bin $f" >&2
    done
  fi
done

echo
echo "fuzzing summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (inputs and logs under $work_dir)" >&2
  exit 1
fi
if [ "$keep" = 1 ]; then
  echo "work directory kept: $work_dir"
else
  rm -rf "$work_dir"
fi
