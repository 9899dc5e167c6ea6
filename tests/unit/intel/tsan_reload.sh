#!/bin/sh
# Builds tests/unit/intel/tsan_reload.cpp with ThreadSanitizer, together with
# the intel sources it exercises (the RCU store and the sets), and runs it.
# TSan exits non-zero (66) on a data race. Usage: tsan_reload.sh SOURCE_ROOT WORKDIR
set -eu
src=$1
work=$2
mkdir -p "$work"
cxx=${CXX:-c++}
"$cxx" -std=c++20 -O1 -g -fsanitize=thread -I"$src/include" \
  "$src/tests/unit/intel/tsan_reload.cpp" "$src/src/intel/store.cpp" "$src/src/intel/ip_set.cpp" \
  "$src/src/intel/domain_set.cpp" "$src/src/core/ip_addr.cpp" \
  -o "$work/tsan_reload" -lxxhash -lfmt -pthread
TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$work/tsan_reload"
