#!/usr/bin/env bash
# millpond's one entry script.
#   ./quickstart.sh run [millpond test options]   install what is missing, build, run a simulation
#   ./quickstart.sh test                          install what is missing, build, run every test
#                                                 (once normally, once under ASan + UBSan)
# Works as root (or with sudo) on Debian 12 with only Debian's package registry.
set -euo pipefail
cd "$(dirname "$0")"

packages=(cmake make g++ pkg-config nlohmann-json3-dev librapidcheck-dev libgtest-dev
          libbenchmark-dev libmimalloc-dev graphviz libgraphviz-dev parallel chromium)

install_missing() {
    local missing=()
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

jobs=$(nproc 2>/dev/null || echo 2)

build() {  # build DIR [cmake args...]
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
    cmake --build "$dir" -j "$jobs"
}

case "${1:-}" in
    run)
        shift
        install_missing
        build build
        exec ./build/millpond test "$@"
        ;;
    test)
        install_missing
        build build
        ctest --test-dir build --output-on-failure -j "$jobs"
        # Long sweeps (tests labelled `long`) ran above; under the sanitizers they would take
        # most of an hour, so that pass leaves them out.
        echo "--- again under AddressSanitizer + UndefinedBehaviorSanitizer (without label long) ---"
        build build-sanitize -DMILLPOND_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
            LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp:print_suppressions=0" \
            ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -LE long
        ;;
    *)
        echo "usage: ./quickstart.sh run [millpond test options] | ./quickstart.sh test" >&2
        exit 254
        ;;
esac
