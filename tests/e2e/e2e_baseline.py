#!/usr/bin/env python3
"""End-to-end tests of the beacon detector and the per-host baselines
(src/detect/beacon/README.md, src/detect/baseline/README.md).

Usage: e2e_baseline.py CASE --picket PATH --src SOURCE_ROOT --work DIR
CASE: scenarios (generated captures raise exactly the (type, actor) pairs
gen-traffic expects, with the evidence the generator's ground truth and
tshark give), restart (baselines survive a restart through --state-dir,
whatever the worker counts; bad state files are reported and ignored),
workers (1, 2 and 4 workers give identical findings), shared (the real
captures in ../shared/pcaps stay silent of these findings at defaults).
Prints one line per check and a closing 'N passed, M failed'; exit 77 when
the inputs are absent.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import SKIP, comparable, final_state, spoiled_states, tshark_lines  # noqa: E402

BEACON = "Backdoor:EC2/C&CActivity.Beacon"
PORT = "Behavior:EC2/NetworkPortUnusual"
VOLUME = "Behavior:EC2/TrafficVolumeUnusual"
RESOLVER = "DefenseEvasion:EC2/UnusualDNSResolver"
DOH = "DefenseEvasion:EC2/UnusualDoHActivity"
DOT = "DefenseEvasion:EC2/UnusualDoTActivity"
TYPES = {BEACON, PORT, VOLUME, RESOLVER, DOH, DOT}


def scenarios(env):
    listing = subprocess.run([sys.executable, env.gen, "list"], check=True, capture_output=True, text=True).stdout
    return [l.split()[0] for l in listing.splitlines() if l.startswith(("beacon_", "baseline_"))]


def actor(f):
    return f["resource"]["instanceDetails"]["networkInterfaces"][0]["privateIpAddress"]


def conn(f):
    return f["service"]["action"].get("networkConnectionAction", {})


def remote(f):
    return conn(f).get("remoteIpDetails", {}).get("ipAddressV4")


def expected(env, name):
    out = subprocess.run([sys.executable, env.gen, "expect", name, "--actors"], check=True,
                         capture_output=True, text=True).stdout
    # Only this file's finding types: e2e_scenarios checks the rest (a volume
    # spike is also a large outbound transfer, for instance).
    pairs = (tuple(l.rsplit(" ", 1)) for l in out.splitlines() if l.strip())
    return sorted(p for p in pairs if p[0] in TYPES)


def ours(findings):
    return [f for f in final_state(findings).values() if f["type"] in TYPES]


def one(env, name, ftype, *opts):
    got = [f for f in ours(env.replay(env.generate(name), *opts)[0]) if f["type"] == ftype]
    return got[0] if len(got) == 1 else None


def case_scenarios(env, c):
    """Each scenario raises exactly the expected (type, actor) pairs, with checked evidence."""
    for name in scenarios(env):
        got = sorted((f["type"], actor(f)) for f in ours(env.replay(env.generate(name))[0]))
        want = expected(env, name)
        c.check(got == want, f"{name}: {want or 'silent'}", f"got {got}")
    # Existing scenarios raise none of these findings at defaults.
    for name in ("benign_web", "dns_benign_office", "dns_tunnel_slow", "demo"):
        got = sorted((f["type"], actor(f)) for f in ours(env.replay(env.generate(name))[0]))
        c.check(got == [], f"{name}: no beacon or baseline finding", f"got {got}")

    b = one(env, "beacon_c2", BEACON)
    if c.check(b is not None, "beacon_c2: one beacon finding"):
        ev = b["service"]["evidence"]
        # The generator draws gaps uniformly in 60 s +- 10 %: the median lies inside.
        c.check(54 <= ev["intervalSeconds"] <= 66 and ev["score"] >= 0.8 and ev["connections"] == 20,
                "beacon_c2: interval in 54-66 s, score >= 0.8, fired at the 20th connection", str(ev))
        c.check(remote(b) == "203.0.113.66" and conn(b)["remotePortDetails"]["port"] == 443 and b["severity"] == 8.0
                and b["service"]["resourceRole"] == "ACTOR", "beacon_c2: 203.0.113.66:443, High 8.0, actor")
        # tshark: the implant's SYNs, one per check-in.
        syns = tshark_lines(env.generate("beacon_c2"), "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==10.1.0.90",
                            "-T", "fields", "-e", "frame.time_epoch") if shutil.which("tshark") else []
        if syns:
            times = sorted(float(t) for t in syns)
            gaps = sorted(b2 - a for a, b2 in zip(times[:20], times[1:20]))
            median = (gaps[9] + gaps[8]) / 2 if len(gaps) % 2 == 0 else gaps[len(gaps) // 2]
            c.check(len(times) == 40 and abs(median - ev["intervalSeconds"]) < 0.01,
                    f"beacon_c2: tshark sees 40 SYNs, median of the first 19 gaps {median:.3f} s",
                    f"{len(times)} SYNs, ours {ev['intervalSeconds']}")
    c.check(ours(env.replay(env.generate("beacon_c2"), "--param", "beacon.min_connections=41")[0]) == [],
            "beacon_c2: silent with min_connections=41 (40 check-ins)")

    p = one(env, "baseline_new_port", PORT)
    c.check(p is not None and remote(p) == "198.51.100.23" and conn(p)["remotePortDetails"]["port"] == 6667
            and p["severity"] == 5.0 and p["service"]["evidence"]["knownPorts"] == 1,
            "baseline_new_port: 198.51.100.23:6667, Medium 5.0, one known port (443)", str(p and p["service"]))
    c.check(ours(env.replay(env.generate("baseline_new_port"), "--param", "port_unusual.learning_period=100000")[0]) == [],
            "baseline_new_port: silent with a learning period past hour 25.5")

    v = one(env, "baseline_volume", VOLUME)
    if c.check(v is not None, "baseline_volume: one volume finding"):
        ev = v["service"]["evidence"]
        total = None
        if shutil.which("tshark"):
            lens = tshark_lines(env.generate("baseline_volume"), "-Y", "ip.src==10.1.0.93 && ip.dst==198.51.100.77",
                                "-T", "fields", "-e", "ip.len")
            total = sum(int(x) for x in lens)
        # The upload is one flow, counted when it ends: the window holds all of it.
        c.check(remote(v) == "198.51.100.77" and ev["thresholdBytes"] == 50e6 and ev["windowBytes"] > 200e6
                and ev["topRemoteBytes"] == ev["windowBytes"] and 0.9e6 <= ev["baselineMeanBytes"] <= 1.1e6
                and ev["baselineWindows"] == 30, "baseline_volume: >200 MB to 198.51.100.77 over a ~1 MB/h, 30-window baseline",
                str(ev))
        if total is not None:
            c.check(total == ev["windowBytes"], f"baseline_volume: windowBytes equals tshark's sum of ip.len ({total})",
                    str(ev["windowBytes"]))

    r = one(env, "baseline_resolver", RESOLVER)
    c.check(r is not None and r["service"]["evidence"].get("sampleHosts") == ["45.33.97.5"]
            and r["service"]["action"]["dnsRequestAction"]["domain"].endswith("evasive-example.net"),
            "baseline_resolver: resolver 45.33.97.5 in the evidence, the domain asked", str(r and r["service"]))
    t = one(env, "baseline_dot", DOT)
    c.check(t is not None and remote(t) == "9.9.9.9" and conn(t)["remotePortDetails"]["port"] == 853,
            "baseline_dot: 9.9.9.9:853")
    d = one(env, "baseline_doh", DOH)
    c.check(d is not None and remote(d) == "8.8.8.8" and d["service"]["evidence"]["bySni"] == 1,
            "baseline_doh: 8.8.8.8 by its SNI dns.google")


def replay_state(env, pcap, state, workers, *opts):
    """Replay with --state-dir; returns (findings of our types, stderr)."""
    cmd = [env.picket, "replay", "-q", "-w", str(workers), "--state-dir", state, *opts, pcap]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr}")
    findings = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return sorted(comparable(f) for f in ours(findings)), p.stderr


def case_restart(env, c):
    """Baselines learned in one run judge the next, whatever the worker counts; bad state is ignored."""
    day1, day2 = env.generate("baseline_restart_day1"), env.generate("baseline_restart_day2")
    c.check(ours(env.replay(day2)[0]) == [], "day 2 alone: the host is new, still learning, silent")
    results = {}
    for save_w, load_w in ((1, 1), (1, 2), (2, 1), (4, 2), (2, 4)):
        state = os.path.join(env.work, f"state-{save_w}-{load_w}")
        first, _ = replay_state(env, day1, state, save_w)
        files = sorted(os.listdir(state))
        c.check(first == [] and len([f for f in files if f.startswith("port_unusual.")]) == save_w,
                f"day 1 with -w {save_w}: silent, {save_w} port_unusual state file(s)", str(files))
        results[(save_w, load_w)], _ = replay_state(env, day2, state, load_w)
        left = sorted(f for f in os.listdir(state) if f.startswith("port_unusual."))
        c.check(len(left) == load_w, f"after -w {load_w}: only its {load_w} state file(s) remain", str(left))
    base = results[(1, 1)]
    c.check(len(base) == 1 and '"Behavior:EC2/NetworkPortUnusual"' in base[0] and '"port": 5222' in base[0],
            "day 2 after day 1: NetworkPortUnusual for tcp/5222", str(base))
    for k, v in results.items():
        c.check(v == base, f"saved with -w {k[0]}, loaded with -w {k[1]}: the same finding")

    # A corrupt, truncated or older-version state file: reported, ignored, the run goes on.
    for what, state, path in spoiled_states(env, "state-bad-", "port_unusual", lambda d: replay_state(env, day1, d, 1)):
        got, err = replay_state(env, day2, state, 2)
        c.check(got == [] and path in err and err.count(path) == 1,
                f"{what} state file: reported once on stderr, ignored (learning again)", err.strip()[-300:])


def case_workers(env, c):
    """1, 2 and 4 workers give identical findings on every beacon/baseline scenario."""
    for name in scenarios(env):
        pcap = env.generate(name)
        states = [sorted(comparable(f) for f in final_state(env.replay(pcap, workers=w)[0]).values()) for w in (1, 2, 4)]
        c.check(states[0] == states[1] == states[2],
                f"{name}: identical findings with 1, 2, 4 workers ({len(states[0])} findings)")


def case_shared(env, c):
    """The real captures raise none of these findings at defaults. None spans a learning period (the longest
    is minutes to hours), and the MANIFEST's one beacon (Merlin over QUIC) is a single flow: nothing to score."""
    if not os.path.isdir(env.shared):
        print(f"skipped: {env.shared} not present")
        return SKIP
    for cat in ("c2", "benign", "scan", "dos", "mining", "bruteforce", "tor", "dns_tunnel"):
        d = os.path.join(env.shared, cat)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith((".pcap", ".pcapng")):
                continue
            got = sorted((x["type"], actor(x)) for x in ours(env.replay(os.path.join(d, f))[0]))
            c.check(got == [], f"{cat}/{f}: no beacon or baseline finding", f"got {got}")


CASES = {"scenarios": case_scenarios, "restart": case_restart, "workers": case_workers, "shared": case_shared}


if __name__ == "__main__":
    sys.exit(e2e.main(CASES))
