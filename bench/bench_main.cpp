// Entry point of picket_bench; the benchmarks register themselves in the
// bench_*.cpp files. Written out rather than linking benchmark_main because
// Debian's libbenchmark-dev does not ship a pkg-config file for it.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
