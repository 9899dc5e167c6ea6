"""Big scenarios: flow_flood and bench_mix (streamed, template based)."""


def write_flow_flood(path, seed, count):
    raise NotImplementedError


def write_bench_mix(path, seed, count):
    raise NotImplementedError
