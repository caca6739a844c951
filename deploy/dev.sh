#!/usr/bin/env bash
# salesops development entry point (Debian 12, as root or with sudo).
#
#   ./deploy/dev.sh run    install missing packages, build, start salesopsd on
#                          127.0.0.1:50051 with the event log in ./data
#   ./deploy/dev.sh test   install missing packages, build, run every test,
#                          then build with ASan+UBSan and run every test again
#                          (with CI set: only the ASan+UBSan pass), then run
#                          each fuzz target briefly (tests/fuzz/run.sh)
#   ./deploy/dev.sh install [build]
#                          only install the missing packages; with "build",
#                          only those the build needs (the container file's
#                          build stage runs that: docs/DEPLOY.md)
#
# Environment: SALESOPS_DATA_DIR (default ./data), SALESOPS_LISTEN
# (default 127.0.0.1:50051), SALESOPS_HTTP_LISTEN (the dashboard, default
# 127.0.0.1:8080), SALESOPS_BUILD_DIR (default ./build),
# SALESOPS_JOBS (default: number of cores), SALESOPS_SANITIZERS=0 to skip the
# sanitizer pass in a quick local loop (CI runs only it),
# SALESOPS_FUZZ_SECONDS (default 10) for how long each fuzz target runs, 0 to
# skip them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SALESOPS_BUILD_DIR:-$root/build}"
data_dir="${SALESOPS_DATA_DIR:-$root/data}"
listen="${SALESOPS_LISTEN:-127.0.0.1:50051}"
http_listen="${SALESOPS_HTTP_LISTEN:-127.0.0.1:8080}"
jobs="${SALESOPS_JOBS:-$(nproc)}"

# Debian 12 packages the build needs, and those only the tests need besides:
# promtool and Prometheus for the metrics tests; the deploy files' checks
# (tests/deploy) run systemd-analyze (systemd; the unit's ExecReload names
# /bin/kill, from procps) and python3 with python3-yaml; proto/ is also
# generated for Go (tests/proto, docs/CLIENTS.md); the Python example client
# runs on Debian's grpcio and protobuf (client/examples/python); the
# cluster-mode tests start their own PostgreSQL 15 (postgresql-15, as the
# postgres user when run as root; tests/common/postgres_cluster.h) and talk
# to it through libpq (libpq-dev). The
# dashboard's browser test drives chromium headless with python3-selenium
# and chromium-driver, with a CJK font for the names (tests/browser). Chart.js
# (libjs-chart.js) is compiled into salesopsd for the dashboard
# (docs/DASHBOARD.md, "Serving").
build_packages=(
  build-essential cmake pkg-config ninja-build mold
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  libcpp-httplib-dev libsystemd-dev libpq-dev libjs-chart.js
)
test_packages=(
  prometheus systemd procps python3 python3-yaml python3-grpcio python3-protobuf protoc-gen-go protoc-gen-go-grpc
  postgresql-15
  clang libclang-rt-14-dev  # the libFuzzer targets (docs/FUZZING.md)
  chromium chromium-driver python3-selenium fonts-wqy-microhei  # the dashboard's browser test (docs/DASHBOARD.md)
)

log() { printf '==> %s\n' "$*" >&2; }

# install_packages [PACKAGE...]: those of the given (default: every package
# above) that are missing.
install_packages() {
  local packages=("$@")
  [ ${#packages[@]} -gt 0 ] || packages=("${build_packages[@]}" "${test_packages[@]}")
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  log "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build DIR [CMAKE_ARGS...]
build() {
  local dir="$1"
  shift
  log "building in $dir"
  # A new build directory uses Ninja (ninja-build): it compiles the other
  # targets' files while the large generated protobuf files still compile,
  # where Make waits for the whole library and leaves a core idle. A
  # directory made before keeps its generator.
  local generator=()
  [ -f "$dir/CMakeCache.txt" ] || generator=(-G Ninja)
  cmake -S "$root" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}

run() {
  install_packages "${build_packages[@]}"
  build "$build_dir"
  mkdir -p "$data_dir"
  local tokens="$data_dir/tokens"
  if [ ! -f "$tokens" ]; then
    local token
    token="dev-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '# salesops tokens: TOKEN MEMBER_ID per line\n%s admin\n' "$token" >"$tokens"
    chmod 600 "$tokens"
    log "created development token file $tokens (member 'admin')"
  fi
  local token
  token="$(awk '!/^#/ && NF==2 {print $1; exit}' "$tokens")"
  cat >&2 <<MSG
==> starting salesopsd on $listen, event log in $data_dir/db
    token:  $token
    dashboard: http://$http_listen/ (sign in with the token; docs/DASHBOARD.md)
    try:    export SALESOPS_TOKEN=$token SALESOPS_SERVER=$listen
            $build_dir/client/salesctl/salesctl set-member-roles --member_id=admin \\
              --roles=admin --roles=sales_rep --roles=bd_manager --roles=sales_manager
            $build_dir/client/salesctl/salesctl identify-lead --lead_id=demo-1 \\
              --company=示例科技 --contact.name=王芳 --source=referral --estimated_value="120000 CNY"
            $build_dir/client/salesctl/salesctl get-lead-history --lead_id=demo-1
    stop:   Ctrl-C (drains in-flight calls and closes the log cleanly)
MSG
  exec "$build_dir/server/salesopsd" --listen="$listen" --data-dir="$data_dir/db" --tokens-file="$tokens" \
    --bootstrap-admin=admin --http-listen="$http_listen"
}

test_all() {
  install_packages
  # CI (CI set) runs every test once, in the ASan+UBSan build: the stricter
  # pass, and two full builds would not fit CI's time on 2 cores. A local run
  # does both passes (SALESOPS_SANITIZERS=0: only the first).
  if [ -z "${CI:-}" ]; then
    build "$build_dir"
    log "running the test suite"
    ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 600
  fi
  if [ "${SALESOPS_SANITIZERS:-1}" != 0 ] || [ -n "${CI:-}" ]; then
    # -O1 and line tables only: the sanitizer pass compiles about twice as fast
    # as RelWithDebInfo and still symbolizes reports. The headers every file
    # parses are precompiled once (tests/precompiled.h), which takes about a
    # sixth off this build, the longest step of CI, and the tests' own code
    # is compiled at -O0 (a fifth less per test file; the server's code they
    # run stays at -O1).
    build "$build_dir-asan" -DSALESOPS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
      -DSALESOPS_PCH=ON -DSALESOPS_TESTS_OPT=-O0
    log "running the test suite under AddressSanitizer + UBSan"
    ctest --test-dir "$build_dir-asan" --output-on-failure -j"$jobs" --timeout 600
  fi
  # Every fuzz target for a few seconds from its seed corpus (also in CI): the
  # seeds still pass their targets' checks and a shallow bug shows at once.
  # Longer runs: tests/fuzz/run.sh --time=15m (docs/FUZZING.md).
  local fuzz_seconds="${SALESOPS_FUZZ_SECONDS:-10}"
  if [ "$fuzz_seconds" != 0 ]; then
    log "fuzzing each target for ${fuzz_seconds}s"
    SALESOPS_JOBS="$jobs" "$root/tests/fuzz/run.sh" --time="${fuzz_seconds}s" --build-dir="$build_dir-fuzz"
  fi
}

case "${1:-}" in
  run) run ;;
  test) test_all ;;
  install)
    case "${2:-}" in
      "") install_packages ;;
      build) install_packages "${build_packages[@]}" ;;
      *) echo "usage: $0 install [build]" >&2; exit 64 ;;
    esac
    ;;
  *) echo "usage: $0 run|test|install [build]" >&2; exit 64 ;;
esac
