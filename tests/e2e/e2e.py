#!/usr/bin/env python3
"""End-to-end tests of `picket replay`: real and generated captures in,
findings and events out, checked against expectations written by hand, the
generator's own expectation table, and independent tools (tshark, capinfos).

Usage: e2e.py CASE --picket PATH --src SOURCE_ROOT --work DIR
Each case prints one line per check and a closing 'N passed, M failed';
exit status 0 when all passed, 77 (meson: skipped) when its inputs are absent.
"""
import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed > 0 else 1


class Env:
    def __init__(self, args):
        self.picket = os.path.abspath(args.picket)
        self.src = os.path.abspath(args.src)
        self.work = tempfile.mkdtemp(prefix=args.case + "-", dir=os.path.abspath(args.work))
        self.shared = os.path.normpath(os.path.join(self.src, "..", "shared", "pcaps"))
        self.gen = os.path.join(self.src, "scripts", "gen-traffic")

    def generate(self, scenario, *extra):
        out = os.path.join(self.work, scenario + ".pcap")
        if not os.path.exists(out):
            subprocess.run([sys.executable, self.gen, scenario, out, *extra], check=True,
                           stdout=subprocess.DEVNULL)
        return out

    def expected_types(self, scenario):
        out = subprocess.run([sys.executable, self.gen, "expect", scenario], check=True,
                             capture_output=True, text=True).stdout
        return sorted(set(l.strip() for l in out.splitlines() if l.strip()))

    def replay(self, pcaps, *opts, workers=2, events=None, stats=False):
        cmd = [self.picket, "replay", "-q", "-w", str(workers), *opts]
        stats_path = os.path.join(self.work, "stats.json")
        if stats:
            cmd += ["--stats-json", stats_path]
        if events:
            cmd += ["--events", events]
        cmd += list(pcaps) if isinstance(pcaps, (list, tuple)) else [pcaps]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr}")
        findings = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        st = json.load(open(stats_path)) if stats else None
        return findings, st


def final_state(findings):
    """The last report of each finding id: what a consumer ends up with."""
    last = {}
    for f in findings:
        last[f["id"]] = f
    return last


def comparable(f):
    """A finding without the fields that name the sensor run."""
    return json.dumps({k: v for k, v in f.items() if k not in ("arn",)}, sort_keys=True)


# Ways to spoil a detector state file (src/detect/common/state_file.hpp); each must be reported and ignored.
BAD_STATE = (("truncated", lambda b: b[: len(b) // 2]), ("corrupt", lambda b: b[:20] + bytes([b[20] ^ 1]) + b[21:]),
             ("older version", lambda b: b[:8] + bytes(4) + b[12:]), ("garbage", lambda b: b"\x00junk" * 7))


def spoiled_states(env, prefix, detector, first_run):
    """For each of BAD_STATE: a state directory filled by first_run(dir) (a one-worker replay), its
    DETECTOR.shard-0-of-1.state spoiled that way. Yields (what, dir, spoiled file)."""
    for what, mangle in BAD_STATE:
        state = os.path.join(env.work, prefix + what.replace(" ", "-"))
        first_run(state)
        path = os.path.join(state, f"{detector}.shard-0-of-1.state")
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(mangle(data))
        yield what, state, path


def tshark_lines(pcap, *args):
    p = subprocess.run(["tshark", "-r", pcap, *args], capture_output=True, text=True)
    return [l for l in p.stdout.splitlines() if l.strip()]


# --------------------------------------------------------------------------
def case_scenarios(env, c):
    """Every generated scenario raises exactly the finding types the generator expects."""
    listing = subprocess.run([sys.executable, env.gen, "list"], check=True, capture_output=True, text=True).stdout
    names = [l.split()[0] for l in listing.splitlines() if l.strip()]
    for name in names:
        # behave_ scenarios are checked, with their evidence, by e2e_behaviour.py.
        if name in ("flow_flood", "bench_mix") or name.startswith(("broken_", "behave_")):
            continue
        pcap = env.generate(name)
        findings, _ = env.replay(pcap)
        got = sorted(set(f["type"] for f in final_state(findings).values()))
        c.check(got == env.expected_types(name), f"scenario {name}: types {got}", f"expected {env.expected_types(name)}")

    # The bundled demo capture is exactly what the generator writes.
    bundled = os.path.join(env.src, "tests", "data", "demo.pcap")
    c.check(open(bundled, "rb").read() == open(env.generate("demo"), "rb").read(),
            "tests/data/demo.pcap is the generator's demo scenario, byte for byte")

    # The plain portscan, checked field by field against what the generator sent
    # (and tshark counts independently).
    pcap = env.generate("portscan")
    final = list(final_state(env.replay(pcap)[0]).values())
    c.check(len(final) == 1, "portscan: one finding")
    f = final[0]
    ev = f["service"]["evidence"]
    syn_ports = set(tshark_lines(pcap, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==10.1.0.5",
                                 "-T", "fields", "-e", "tcp.dstport"))
    c.check(ev["distinctPorts"] == len(syn_ports) == 100, "portscan: distinctPorts equals tshark's distinct SYN ports",
            f"{ev['distinctPorts']} vs {len(syn_ports)}")
    nca = f["service"]["action"]["networkConnectionAction"]
    c.check(f["resource"]["instanceDetails"]["networkInterfaces"][0]["privateIpAddress"] == "10.1.0.5", "portscan: actor 10.1.0.5")
    c.check(nca["remoteIpDetails"]["ipAddressV4"] == "203.0.113.10", "portscan: target 203.0.113.10")
    c.check(nca["connectionDirection"] == "OUTBOUND" and f["service"]["resourceRole"] == "ACTOR", "portscan: outbound, actor")
    c.check(f["severity"] == 5.0 and f["service"]["count"] == 1, "portscan: severity 5.0 (Medium), count 1")
    c.check(len(f["id"]) == 32 and all(ch in "0123456789abcdef" for ch in f["id"]), "portscan: 32-hex id")

    # Every encapsulation gives the same finding as the plain capture.
    for name in names:
        if not name.startswith("encap_") or name == "encap_ipv6":
            continue
        other = list(final_state(env.replay(env.generate(name))[0]).values())
        c.check(len(other) == 1 and comparable(other[0]) == comparable(f), f"{name}: same finding as plain portscan")
    v6 = list(final_state(env.replay(env.generate("encap_ipv6"))[0]).values())
    c.check(len(v6) == 1 and v6[0]["service"]["action"]["networkConnectionAction"]["remoteIpDetails"].get("ipAddressV6") == "2001:db8::10"
            and v6[0]["service"]["evidence"]["distinctPorts"] == 100, "encap_ipv6: portscan of 2001:db8::10 over IPv6")

    # Sweeps and inbound scans name the right parties.
    sw = list(final_state(env.replay(env.generate("portsweep"))[0]).values())
    c.check(len(sw) == 1 and sw[0]["type"] == "Impact:EC2/PortSweep" and sw[0]["service"]["evidence"]["distinctHosts"] == 40
            and sw[0]["service"]["action"]["networkConnectionAction"]["remotePortDetails"]["port"] == 445
            and sw[0]["severity"] == 8.0, "portsweep: 40 hosts on 445, High")
    ib = list(final_state(env.replay(env.generate("inbound_portscan"))[0]).values())
    c.check(len(ib) == 1 and ib[0]["service"]["resourceRole"] == "TARGET"
            and ib[0]["service"]["action"]["actionType"] == "PORT_PROBE"
            and ib[0]["service"]["action"]["portProbeAction"]["portProbeDetails"][0]["remoteIpDetails"]["ipAddressV4"] == "198.51.100.77"
            and ib[0]["service"]["evidence"]["distinctPorts"] == 50, "inbound_portscan: 50 ports from 198.51.100.77, target role")


# Expectations for the shared corpus, from its MANIFEST.md (verified there with tshark).
SHARED = [
    # file, replay options, expected [(type, actor-or-resource ip, evidence key, value)]
    ("scan/ndpi_nmap_synscan.pcap", [], [("Recon:EC2/Portscan", "172.16.0.8", "distinctPorts", 1000)]),
    ("scan/sgr_tcp_syn_ping_sweep.pcapng", [], [("Impact:EC2/PortSweep", "10.0.0.128", "distinctHosts", 256)]),
    ("scan/sgr_tcp_ack_ping_sweep.pcapng", [], [("Impact:EC2/PortSweep", "10.0.0.128", "distinctHosts", 256)]),
    ("scan/sgr_icmp_ping_sweep.pcap", [], [("Impact:EC2/PortSweep", "10.0.0.128", "distinctHosts", 256)]),
    ("scan/sgr_udp_sweep.pcap", ["--home-net", "246.237.0.0/16"], [("Impact:EC2/PortSweep", "246.237.45.150", "distinctHosts", 96)]),
    ("scan/sgr_udp_sweep.pcap", [], []),  # with the default home net neither end is ours
    ("scan/ndpi_tcp_scan_flags.pcapng", [], []),  # 7 ports: below the threshold
    ("scan/zeek_nmap_host_discovery.pcap", [], []),  # only 7 hosts at the IP layer
    ("mining/ndpi_ethereum_p2p.pcap", [], []),  # 66 peers on 30303: P2P, not a sweep
    ("benign/ndpi_bittorrent.pcap", [], []),
    ("dos/stopddos_dns_amp_rrsig.pcap", [], []),  # reflected answers are not probes
    ("bruteforce/zeek_ssh_guess.pcap", [], []),
]


def case_shared(env, c):
    """Real captures from ../shared/pcaps raise what their MANIFEST says, and benign ones nothing."""
    if not os.path.isdir(env.shared):
        print(f"skipped: {env.shared} not present")
        return SKIP
    cases = list(SHARED)
    for f in sorted(os.listdir(os.path.join(env.shared, "benign"))):
        cases.append(("benign/" + f, [], []))
    for rel, opts, expected in cases:
        path = os.path.join(env.shared, rel)
        final = list(final_state(env.replay(path, *opts)[0]).values())
        got = sorted((f["type"], f["resource"]["instanceDetails"]["networkInterfaces"][0].get("privateIpAddress")) for f in final)
        want = sorted((t, ip) for t, ip, _, _ in expected)
        ok = got == want
        for t, ip, key, value in expected:
            for f in final:
                if f["type"] == t and f["service"]["evidence"].get(key) != value:
                    ok = False
        c.check(ok, f"{rel} {' '.join(opts)}: {want or 'no finding'}", f"got {[(f['type'], f['service']['evidence']) for f in final]}")


def case_workers(env, c):
    """The same capture gives the same findings with 1, 2 and 4 workers."""
    pcaps = [env.generate("demo"), env.generate("portscan"), env.generate("benign_web"),
             env.generate("bench_mix", "--count", "200000")]
    if os.path.isdir(env.shared):
        for rel in ("scan/ndpi_nmap_synscan.pcap", "scan/sgr_icmp_ping_sweep.pcap", "dos/stopddos_synflood_spoofed.pcap",
                    "benign/suricata_tls_browsing.pcap", "mining/ndpi_ethereum_p2p.pcap"):
            pcaps.append(os.path.join(env.shared, rel))
    for pcap in pcaps:
        states = []
        for w in (1, 2, 4):
            findings, st = env.replay(pcap, workers=w, stats=True)
            states.append(sorted(comparable(f) for f in final_state(findings).values()))
            flows = st["flows"]["created"]
        c.check(states[0] == states[1] == states[2], f"{os.path.basename(pcap)}: identical findings with 1, 2, 4 workers ({len(states[0])} findings)")
    # The demo is not trivially empty: the invariance above compares real findings.
    c.check(len(final_state(env.replay(env.generate("demo"))[0])) == 3, "demo: three findings to compare")


def case_dns_tshark(env, c):
    """DNS names, types and directions in --events match tshark on the same captures."""
    if not shutil.which("tshark"):
        print("skipped: tshark not installed")
        return SKIP
    pcaps = [env.generate("dns_mix"), env.generate("benign_web")]
    if os.path.isdir(env.shared):
        pcaps += [os.path.join(env.shared, p) for p in ("dns_tunnel/suricata_dns2tcp_txt.pcap",
                                                        "dns_tunnel/ndpi_dnscat2_skullseclabs.pcap",
                                                        "benign/ndpi_1kxun.pcap")]
    for pcap in pcaps:
        events = os.path.join(env.work, "events.json")
        env.replay(pcap, events=events)
        ours = []
        for line in open(events):
            e = json.loads(line)
            if e["event_type"] == "dns":
                ours.append((e["dns"]["type"], e["dns"]["rrname"].lower(), str(e["dns"]["rrtype"])))
        theirs = []
        for l in tshark_lines(pcap, "-Y", "dns && !icmp", "-T", "fields", "-e", "dns.flags.response", "-e", "dns.qry.name",
                              "-e", "dns.qry.type"):
            parts = l.split("\t")
            if len(parts) < 3 or not parts[1]:
                continue
            kind = "answer" if parts[0] in ("1", "True") else "query"
            qtype = parts[2].split(",")[0]
            theirs.append((kind, parts[1].split(",")[0].lower(), qtype))
        # rrtype is a name in our output for known types; compare by number via a small table.
        names = {"A": "1", "NS": "2", "CNAME": "5", "SOA": "6", "NULL": "10", "PTR": "12", "MX": "15", "TXT": "16",
                 "AAAA": "28", "SRV": "33", "OPT": "41", "HTTPS": "65", "ANY": "255"}
        ours = sorted((k, n, names.get(t, t)) for k, n, t in ours)
        theirs = sorted(theirs)
        c.check(ours == theirs and len(ours) > 0, f"{os.path.basename(pcap)}: {len(ours)} DNS messages match tshark",
                f"only ours {sorted(set(ours) - set(theirs))[:5]} only tshark {sorted(set(theirs) - set(ours))[:5]} "
                f"({len(ours)} vs {len(theirs)})")


def case_flows_tshark(env, c):
    """Flow counts and per-direction packet counts in --events agree with tshark's conversation table."""
    if not shutil.which("tshark"):
        print("skipped: tshark not installed")
        return SKIP
    pcaps = [env.generate("benign_web"), env.generate("portscan")]
    if os.path.isdir(env.shared):
        pcaps.append(os.path.join(env.shared, "scan/ndpi_nmap_synscan.pcap"))
    for pcap in pcaps:
        events = os.path.join(env.work, "events.json")
        env.replay(pcap, events=events)
        ours = {}
        for line in open(events):
            e = json.loads(line)
            if e["event_type"] == "flow" and e["proto"] == "TCP":
                key = tuple(sorted([(e["src_ip"], e["src_port"]), (e["dest_ip"], e["dest_port"])]))
                ours[key] = e["flow"]["pkts_toserver"] + e["flow"]["pkts_toclient"]
        theirs = {}
        for l in subprocess.run(["tshark", "-r", pcap, "-q", "-z", "conv,tcp"], capture_output=True, text=True).stdout.splitlines():
            if "<->" not in l:
                continue
            f = l.split()
            a, b = f[0].rsplit(":", 1), f[2].rsplit(":", 1)
            key = tuple(sorted([(a[0], int(a[1])), (b[0], int(b[1]))]))
            theirs[key] = int(f[3]) + int(f[6])  # frames <- and ->; each byte figure carries a unit word
        c.check(ours == theirs and ours, f"{os.path.basename(pcap)}: {len(ours)} TCP flows and their packet counts match tshark",
                f"{len(ours)} vs {len(theirs)}; differing {[k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k)][:3]}")


def case_memcap(env, c):
    """A flood of unique flows stays within the flow memory cap, and the cap is counted, not silent."""
    pcap = env.generate("flow_flood", "--count", "200000")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    _, st = env.replay(pcap, "--flow-memcap", "4", workers=1, stats=True)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    flows = st["flows"]
    c.check(flows["created"] == 200000, "flood: 200000 flows created", str(flows))
    c.check(flows["evicted"] > 150000, "flood: the 4 MiB cap evicts (and counts) most of them", str(flows))
    c.check(flows["peak"] < 40000, "flood: never more flows than the cap holds", str(flows))
    c.check(rss_mb < 200, f"flood: peak RSS {rss_mb:.0f} MiB under 200 MiB")
    _, st = env.replay(pcap, workers=1, stats=True)
    c.check(st["flows"]["evicted"] == 0 and st["flows"]["peak"] == 200000, "flood: default cap holds all 200000 flows", str(st["flows"]))


def run_cli(env, *args, timeout=60):
    return subprocess.run([env.picket, *args], capture_output=True, text=True, timeout=timeout)


def case_robustness(env, c):
    """Broken captures, bad frames and bad arguments: a clear message or a counter, never a crash."""
    garbage = env.generate("broken_garbage")
    p = run_cli(env, "replay", garbage)
    c.check(p.returncode == 1 and garbage in p.stderr, "garbage file: exit 1 naming the file", p.stderr.strip())
    p = run_cli(env, "replay", os.path.join(env.work, "missing.pcap"))
    c.check(p.returncode == 1 and "missing.pcap" in p.stderr, "missing file: exit 1 naming it", p.stderr.strip())
    trunc = env.generate("broken_truncated_file")
    stats = os.path.join(env.work, "t.json")
    p = run_cli(env, "replay", "--stats-json", stats, trunc)
    st = json.load(open(stats)) if os.path.exists(stats) else {}
    c.check(p.returncode == 0 and "warning" in p.stderr and st.get("input", {}).get("read_errors") == 1,
            "truncated file: replays what is there, warns, counts the read error", p.stderr.strip()[-300:])
    capinfos = subprocess.run(["capinfos", "-c", "-M", trunc], capture_output=True, text=True).stdout
    count = [l for l in capinfos.splitlines() if "Number of packets" in l]
    if count:
        c.check(str(st["input"]["packets"]) in count[0], "truncated file: packet count agrees with capinfos", count[0])
    bad = env.generate("broken_bad_frames")
    p = run_cli(env, "replay", "--stats-json", stats, bad)
    st = json.load(open(stats))
    anomalies = sum(st["decode"]["anomalies"].values())
    c.check(p.returncode == 0 and anomalies >= 5, f"bad frames: exit 0 with {anomalies} decode anomalies counted",
            json.dumps(st["decode"]["anomalies"]))
    for args, what in ((["replay"], "no input"), (["replay", "-w", "0", bad], "--workers 0"),
                       (["replay", "--param", "portscan.nope=1", bad], "unknown parameter"),
                       (["replay", "--param", "portscan.min_ports=x", bad], "non-numeric parameter"),
                       (["replay", "--home-net", "10.0.0.0/99", bad], "bad CIDR"),
                       (["replay", "--bogus", bad], "unknown option"), (["frobnicate"], "unknown command")):
        p = run_cli(env, *args)
        c.check(p.returncode == 2 and p.stderr.strip() != "", f"usage error ({what}): exit 2 with a message", f"rc={p.returncode} {p.stderr.strip()[:200]}")
    p = run_cli(env, "--help")
    c.check(p.returncode == 0 and "replay" in p.stdout, "--help lists the commands")
    p = run_cli(env, "replay", "--help")
    c.check(p.returncode == 0 and "--home-net" in p.stdout and "--events" in p.stdout, "replay --help explains the options")
    p = run_cli(env, "version")
    c.check(p.returncode == 0 and p.stdout.startswith("picket "), "version prints the version")
    # A directory replays its captures merged in time order, like mergecap.
    d = os.path.join(env.work, "dir")
    os.makedirs(d, exist_ok=True)
    shutil.copy(env.generate("portscan"), os.path.join(d, "a.pcap"))
    shutil.copy(env.generate("inbound_portscan"), os.path.join(d, "b.pcap"))
    merged = sorted(f["type"] for f in final_state(env.replay(d)[0]).values())
    c.check(merged == ["Recon:EC2/InboundPortscan", "Recon:EC2/Portscan"], "directory input: both captures analysed", str(merged))


def case_signal(env, c):
    """SIGTERM during a replay flushes everything already seen: no finding is lost."""
    fifo = os.path.join(env.work, "feed")
    os.mkfifo(fifo)
    out = os.path.join(env.work, "findings.json")
    proc = subprocess.Popen([env.picket, "replay", "-w", "2", "-o", out, fifo], stderr=subprocess.PIPE, text=True)
    with open(fifo, "wb") as feed:
        feed.write(open(env.generate("portscan"), "rb").read())
        feed.flush()
        time.sleep(1.0)  # the feed stays open: picket is waiting for more packets
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            c.check(False, "SIGTERM: picket exits within 20 s")
            return
    c.check(proc.returncode == 0, "SIGTERM: exit 0", str(proc.returncode))
    c.check("interrupted" in err, "SIGTERM: summary says the run was interrupted", err[-300:])
    types = [json.loads(l)["type"] for l in open(out)]
    c.check("Recon:EC2/Portscan" in types, "SIGTERM: the portscan seen before the signal is written", str(types))


CASES = {"scenarios": case_scenarios, "shared": case_shared, "workers": case_workers, "dns_tshark": case_dns_tshark,
         "flows_tshark": case_flows_tshark, "memcap": case_memcap, "robustness": case_robustness, "signal": case_signal}


def main(cases=None):
    """Runs one case of `cases` (a name -> function table; this file's by default)."""
    cases = cases or CASES
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(cases))
    ap.add_argument("--picket", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", default=tempfile.gettempdir())
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    env = Env(args)
    c = Checks()
    try:
        rc = cases[args.case](env, c)
    finally:
        shutil.rmtree(env.work, ignore_errors=True)
    if rc == SKIP:
        return SKIP
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
