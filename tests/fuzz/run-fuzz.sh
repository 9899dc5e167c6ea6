#!/usr/bin/env bash
# run-fuzz.sh TARGET SOURCE_ROOT BUILD_DIR: build one libFuzzer target with
# clang and run it for FUZZ_SECONDS. Exit status is libFuzzer's: a crash, a
# sanitizer report or a leak fails the test and leaves the crashing input in
# BUILD_DIR/TARGET-artifacts/.
set -euo pipefail
target=$1 src=$2 out=$3
secs=${FUZZ_SECONDS:-30}
mkdir -p "$out/$target-corpus" "$out/$target-artifacts"
defs=()
case $target in
  # The three collector parsers share one harness; the version picks the parser.
  fuzz_netflow_v5|fuzz_netflow_v9|fuzz_ipfix)
    case $target in fuzz_netflow_v5) v=5 ;; fuzz_netflow_v9) v=9 ;; *) v=10 ;; esac
    defs=(-DPICKET_FUZZ_VERSION=$v)
    srcs=("$src/tests/fuzz/fuzz_flow_collector.cpp" "$src"/src/core/*.cpp "$src"/src/flowrec/*.cpp) ;;
  # Flow-record parsers need only core and flowrec: compile no more than that.
  fuzz_vpc_flow_log|fuzz_resolver_log)
    srcs=("$src/tests/fuzz/$target.cpp" "$src"/src/core/*.cpp "$src"/src/flowrec/*.cpp) ;;
  *)
    srcs=("$src/tests/fuzz/$target.cpp" "$src"/src/core/*.cpp "$src"/src/net/*.cpp "$src"/src/proto/*.cpp) ;;
esac
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$src/include" $(pkg-config --cflags fmt libxxhash) "${defs[@]}" -o "$out/$target" "${srcs[@]}" \
  $(pkg-config --libs fmt libxxhash zlib)
seed="$src/tests/fuzz/corpus/$target"
dirs=("$out/$target-corpus")
[ -d "$seed" ] && dirs+=("$seed")
exec "$out/$target" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$out/$target-artifacts/" "${dirs[@]}"
