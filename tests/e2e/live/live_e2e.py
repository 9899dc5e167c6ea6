#!/usr/bin/env python3
"""Live capture end to end: tcpreplay sends captures into a veth pair inside a
network namespace; `picket run` captures them (libpcap with a 2-worker fanout
group, DPDK net_af_packet) and must raise the same findings as `picket replay`
of the same file. DPDK net_pcap reads the file itself and must match too.

What is compared: the set of (finding type, resource instance, addresses in
the action) of the final reports. Counts and first/last-seen times are not:
tcpreplay runs the capture 10x faster than recorded and live timestamps are
the host's clock, so windows and counts legitimately differ a little.

Needs root (namespaces, raw sockets) and tcpreplay; skips with a message
otherwise. Readiness is checked through the stats file picket writes once its
capture is open, never by fixed sleeps.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))
import e2e  # noqa: E402

SKIP = e2e.SKIP
SPEEDUP = "10"  # tcpreplay --multiplier: the 22 s demo capture plays in ~2 s


def skip(why):
    print(f"SKIP: {why}")
    return SKIP


def can_netns():
    if os.geteuid() != 0:
        return "not root (network namespaces and raw sockets need root)"
    for tool in ("ip", "tcpreplay"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            return f"{tool} not installed"
    return ""


class Netns:
    """A namespace with a veth pair: tcpreplay writes to `tx`, picket reads `rx`."""

    def __init__(self):
        self.name = "pkt-" + uuid.uuid4().hex[:8]
        self.tx, self.rx = "ptx0", "prx0"

    def __enter__(self):
        sh = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        sh("ip", "netns", "add", self.name)
        try:
            self.run("ip", "link", "set", "lo", "up")  # the metrics endpoint listens on 127.0.0.1
            self.run("ip", "link", "add", self.tx, "type", "veth", "peer", "name", self.rx)
            for dev in (self.tx, self.rx):
                # No IPv6 on the pair: the kernel's own router solicitations
                # would be captured too and change the packet counts.
                self.run("sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1")
                self.run("ip", "link", "set", dev, "up")
        except Exception:
            self.__exit__()
            raise
        return self

    def run(self, *args, **kw):
        return subprocess.run(["ip", "netns", "exec", self.name, *args], check=True, capture_output=True, **kw)

    def cmd(self, *args):
        return ["ip", "netns", "exec", self.name, *args]

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


def finding_key(f):
    """Type, the resource, and every address named in the action."""
    addrs = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("ipAddressV4", "ipAddressV6") and isinstance(x, str):
                    addrs.add(x)
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(f["service"].get("action", {}))
    inst = f["resource"].get("instanceDetails", {}).get("instanceId", "")
    return (f["type"], inst, tuple(sorted(addrs)))


def keys_of(path):
    if not os.path.exists(path):
        return set()
    final = e2e.final_state(json.loads(l) for l in open(path) if l.strip())
    return {finding_key(f) for f in final.values()}


def packets_in(pcap):
    out = subprocess.run(["capinfos", "-M", "-c", "-T", pcap], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1].split("\t")[-1])


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise TimeoutError(what)


def read_stats(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


class Live:
    """`picket run` in the background with a fast stats file for readiness."""

    def __init__(self, env, args, ns=None, tag="live"):
        self.out = os.path.join(env.work, tag + ".json")
        self.stats = os.path.join(env.work, tag + "-stats.json")
        self.err = os.path.join(env.work, tag + ".err")
        for old in (self.out, self.stats):  # a previous run's files would fake readiness
            if os.path.exists(old):
                os.unlink(old)
        cmd = [env.picket, "run", "--stats-interval", "0.1", "--stats-json", self.stats, "-o", self.out, *args]
        if ns:
            cmd = ns.cmd(*cmd)
        self.errf = open(self.err, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.errf)

    def ready(self, timeout=20):
        """The stats file appears once the capture is open and the workers run."""
        def check():
            if self.proc.poll() is not None:
                raise RuntimeError(f"picket run exited {self.proc.returncode}: {open(self.err).read()[-800:]}")
            return read_stats(self.stats)
        return wait_for(check, timeout, "picket run never wrote its stats file")

    def wait_packets(self, n, timeout=30):
        return wait_for(lambda: (s := read_stats(self.stats)) and s["capture"]["packets"] >= n and s, timeout,
                        f"picket run did not capture {n} packets")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        self.errf.close()
        return self.proc.returncode

    def stderr(self):
        return open(self.err).read()


def replay_keys(env, pcap):
    out = os.path.join(env.work, "replay.json")
    subprocess.run([env.picket, "replay", "-q", "-w", "2", "-o", out, pcap], check=True, timeout=120)
    keys = keys_of(out)
    os.unlink(out)
    return keys


def inputs(env):
    """Generated capture first; one real scan capture if ../shared is there."""
    yield "demo", env.generate("demo")
    real = os.path.join(env.shared, "scan", "ndpi_nmap_synscan.pcap")
    if os.path.exists(real):
        yield "real nmap synscan", real
    else:
        print("note: ../shared/pcaps absent, live capture checked on generated traffic only")


def capture_and_compare(env, c, ns, label, pcap, picket_args, tag):
    want = replay_keys(env, pcap)
    c.check(bool(want), f"{label}: replay raises findings to compare against", str(want))
    live = Live(env, picket_args, ns=ns, tag=tag)
    try:
        live.ready()
        ns.run("tcpreplay", "-q", "-i", ns.tx, "--multiplier", SPEEDUP, pcap)
        st = live.wait_packets(packets_in(pcap))
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as e:
        live.stop(signal.SIGKILL)
        c.check(False, f"{label}: capture", f"{e}\n{live.stderr()[-800:]}")
        return None
    rc = live.stop()
    c.check(rc == 0, f"{label}: SIGTERM ends picket run with status 0", f"{rc}: {live.stderr()[-500:]}")
    got = keys_of(live.out)
    c.check(got == want, f"{label}: live findings equal the replay's ({len(want)})",
            f"missing {sorted(want - got)}, extra {sorted(got - want)}")
    final = read_stats(live.stats)
    c.check(final is not None and final.get("interrupted") is True, f"{label}: final stats written after the stop")
    return final or st


def case_pcap_fanout(env, c):
    """libpcap, two workers in one AF_PACKET fanout group, findings equal replay's."""
    if why := can_netns():
        return skip(why)
    with Netns() as ns:
        for label, pcap in inputs(env):
            st = capture_and_compare(env, c, ns, f"pcap {label}", pcap, ["-q", "-w", "2", "-i", ns.rx], "pcap")
            if st:
                per = [w["packets"] for w in st["capture"]["workers"]]
                c.check(len(per) == 2 and all(p > 0 for p in per), f"pcap {label}: both fanout workers got packets",
                        str(per))
                c.check(st["capture"]["drops"] == 0, f"pcap {label}: no drops at this rate", str(st["capture"]))


def dpdk_usable(env):
    r = subprocess.run([env.picket, "run", "--help"], capture_output=True, text=True)
    if "--dpdk-args" not in r.stdout:
        return "picket has no DPDK capture"
    r = subprocess.run([env.picket, "run", "--dpdk-args", "--no-huge --no-pci --vdev net_null0", "-w", "9"],
                       capture_output=True, text=True, timeout=60)
    if "without DPDK" in r.stderr:
        return "this picket was built without DPDK"
    return ""


EAL = "--no-huge --no-pci -m 256 --log-level=lib.eal:error --file-prefix picket-e2e-{tag}"


def case_dpdk_af_packet(env, c):
    """DPDK net_af_packet on the veth (2 queue pairs, 2 workers), findings equal replay's."""
    if why := can_netns() or dpdk_usable(env):
        return skip(why)
    with Netns() as ns:
        for label, pcap in inputs(env):
            eal = EAL.format(tag=os.getpid()) + f" --vdev net_af_packet0,iface={ns.rx},qpairs=2"
            st = capture_and_compare(env, c, ns, f"dpdk af_packet {label}", pcap,
                                     ["-q", "-w", "2", "--dpdk-args", eal], "dpdk")
            if st:
                dev = st["capture"]["device"]
                c.check("imissed" in dev and "rx_nombuf" in dev and "ierrors" in dev,
                        f"dpdk af_packet {label}: port statistics in the stats", str(dev))


def case_dpdk_net_pcap(env, c):
    """DPDK net_pcap reads the capture file: file timestamps, findings equal replay's exactly."""
    if os.geteuid() != 0:
        return skip("not root (DPDK's EAL wants /var/run/dpdk)")
    if why := dpdk_usable(env):
        return skip(why)
    for label, pcap in inputs(env):
        if pcap.endswith(".pcapng"):
            continue
        want_out = os.path.join(env.work, "replay-full.json")
        subprocess.run([env.picket, "replay", "-q", "-w", "1", "-o", want_out, pcap], check=True, timeout=120)
        want = keys_of(want_out)
        eal = EAL.format(tag=os.getpid()) + f" --vdev net_pcap0,rx_pcap={pcap}"
        live = Live(env, ["-q", "-w", "1", "--dpdk-args", eal], tag="netpcap")
        try:
            live.ready()
            live.wait_packets(packets_in(pcap))
        except (RuntimeError, TimeoutError) as e:
            live.stop(signal.SIGKILL)
            c.check(False, f"net_pcap {label}: capture", f"{e}\n{live.stderr()[-800:]}")
            continue
        rc = live.stop()
        c.check(rc == 0, f"net_pcap {label}: exit 0 after SIGTERM", str(rc))
        got = keys_of(live.out)
        c.check(got == want and bool(want), f"net_pcap {label}: findings equal the replay's ({len(want)})",
                f"missing {sorted(want - got)}, extra {sorted(got - want)}")
        # Packet time from the file: first/last seen are the capture's own.
        first = {json.loads(l)["service"]["eventFirstSeen"] for l in open(want_out)}
        first_live = {json.loads(l)["service"]["eventFirstSeen"] for l in open(live.out)}
        c.check(first == first_live, f"net_pcap {label}: finding times are the file's timestamps",
                f"{sorted(first)[:3]} vs {sorted(first_live)[:3]}")


def case_signals(env, c):
    """SIGHUP while capturing reopens sinks and keeps capturing; SIGTERM flushes every flow and finding."""
    if why := can_netns():
        return skip(why)
    pcap = env.generate("portscan")
    with Netns() as ns:
        live = Live(env, ["-w", "2", "-i", ns.rx], ns=ns, tag="sig")
        try:
            live.ready()
            moved = live.out + ".1"
            wait_for(lambda: os.path.exists(live.out), 10, "output file opened")
            os.rename(live.out, moved)  # what logrotate does before its SIGHUP
            live.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "SIGHUP" in live.stderr() or "reloaded" in live.stderr(), 10, "SIGHUP logged")
            c.check(live.proc.poll() is None, "SIGHUP: picket keeps running")
            ns.run("tcpreplay", "-q", "-i", ns.tx, "--topspeed", pcap)
            live.wait_packets(packets_in(pcap))
        except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as e:
            live.stop(signal.SIGKILL)
            c.check(False, "signals: capture", f"{e}\n{live.stderr()[-800:]}")
            return
        # The scan's flows are still open (their timeouts have not passed):
        # only the flush at SIGTERM can end them and raise the finding.
        before = keys_of(live.out)
        rc = live.stop()
        c.check(rc == 0, "SIGTERM: exit 0", str(rc))
        after = keys_of(live.out)
        c.check(any(k[0] == "Recon:EC2/Portscan" for k in after) and not before,
                "SIGTERM: the flush writes the portscan into the reopened file", f"before {before}, after {after}")
        c.check("interrupted" in live.stderr(), "SIGTERM: summary says the capture was interrupted")


BROKEN = """[capture]
interfaces = ["eth1"]
workers = 0
snaplen = "big"
bogus = 1

[daemon]
stats_interval = -5

[network]
home = ["10.0.0.0/33"]

[flow_table]
timeouts = { tcp_new = "x", warp = 5 }

[detectors.portscan]
min_ports = 1
nonsense = 3

[detectors.nosuch]
x = 1
"""
# (line, key) of every mistake above, found by reading the file by hand.
BROKEN_ERRORS = [(3, "capture.workers"), (4, "capture.snaplen"), (5, "capture.bogus"), (8, "daemon.stats_interval"),
                 (11, "network.home"), (14, "flow_table.timeouts.tcp_new"), (14, "flow_table.timeouts.warp"),
                 (17, "detectors.portscan.min_ports"), (18, "detectors.portscan.nonsense"), (20, "detectors.nosuch")]


def case_config(env, c):
    """check-config names file, line and key of every error; the example file is valid; run refuses a bad file."""
    example = os.path.join(env.src, "rules", "picket.toml")
    r = subprocess.run([env.picket, "check-config", example], capture_output=True, text=True)
    c.check(r.returncode == 0 and "OK" in r.stdout, "rules/picket.toml passes check-config", r.stderr)
    bad = os.path.join(env.work, "bad.toml")
    open(bad, "w").write(BROKEN)
    r = subprocess.run([env.picket, "check-config", bad], capture_output=True, text=True)
    c.check(r.returncode == 1, "broken file: check-config exits 1", str(r.returncode))
    lines = r.stderr.splitlines()
    for line, key in BROKEN_ERRORS:
        c.check(any(l.startswith(f"{bad}:{line}: key '{key}'") for l in lines), f"broken file: line {line} key {key} named",
                r.stderr)
    c.check(f"{len(BROKEN_ERRORS)} error(s)" in r.stderr, f"broken file: exactly {len(BROKEN_ERRORS)} errors",
            r.stderr[-300:])
    r = subprocess.run([env.picket, "run", "--config", bad], capture_output=True, text=True, timeout=30)
    c.check(r.returncode == 2 and f"{bad}:3: key 'capture.workers'" in r.stderr, "picket run refuses the broken file",
            r.stderr[-300:])
    syntax = os.path.join(env.work, "syntax.toml")
    open(syntax, "w").write("[capture]\nworkers = 2\n\n[daemon\n")
    r = subprocess.run([env.picket, "check-config", syntax], capture_output=True, text=True)
    c.check(r.returncode == 1 and f"{syntax}:4:" in r.stderr, "syntax error: named with its line", r.stderr)
    sinks = os.path.join(env.work, "sinks.toml")
    open(sinks, "w").write("[daemon]\nstats_interval = 5\n\n[[output]]\npaht = '/tmp/x'\n")
    r = subprocess.run([env.picket, "check-config", sinks], capture_output=True, text=True)
    c.check(r.returncode == 1 and f"{sinks}:4:" in r.stderr, "sink table error: named with its line", r.stderr)
    intel = os.path.join(env.work, "intel.toml")
    open(intel, "w").write("[daemon]\nstats_interval = 5\n\n[intel]\ndefault_lists = 'yes'\n")
    r = subprocess.run([env.picket, "check-config", intel], capture_output=True, text=True)
    c.check(r.returncode == 1 and f"{intel}:5: key 'intel.default_lists'" in r.stderr,
            "[intel] table error: named with its line and key", r.stderr)
    open(intel, "w").write("[intel]\nthreat_lists = ['c2:gone=/nonexistent/list.txt']\n")
    r = subprocess.run([env.picket, "check-config", intel], capture_output=True, text=True)
    c.check(r.returncode == 1 and f"{intel}:2:" in r.stderr and "/nonexistent/list.txt" in r.stderr,
            "[intel] list that cannot be opened: named with its line", r.stderr)
    # Sink settings are checked as run would build them, without their side effects.
    never = os.path.join(env.work, "never-created.json")
    open(sinks, "w").write(f"[[output]]\npath = '{never}'\n\n[[syslog]]\nurl = 'bogus://x'\n\n"
                           "[[syslog]]\nurl = 'tls://127.0.0.1:6514'\nca = '/nonexistent/ca.pem'\n\n"
                           "[[hook]]\ncommand = ['/nonexistent/hook']\n")
    r = subprocess.run([env.picket, "check-config", sinks], capture_output=True, text=True)
    c.check(r.returncode == 1 and f"{sinks}:4:" in r.stderr and "bogus" in r.stderr, "bad syslog URL: named with its line",
            r.stderr)
    c.check(f"{sinks}:7: key 'ca': /nonexistent/ca.pem" in r.stderr, "unreadable TLS CA: named with its line and key",
            r.stderr)
    c.check(f"{sinks}:11:" in r.stderr and "/nonexistent/hook" in r.stderr, "missing hook program: named with its line",
            r.stderr)
    c.check("3 error(s)" in r.stderr, "sinks: exactly 3 errors", r.stderr)
    c.check(not os.path.exists(never), "check-config creates no output file")


def proc_status(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        out[k] = v.split()
    return out


def case_daemon(env, c):
    """run --config: privileges dropped to the configured user after opening, Prometheus endpoint, findings."""
    if why := can_netns():
        return skip(why)
    pcap = env.generate("demo")
    want = replay_keys(env, pcap)
    os.chmod(env.work, 0o777)  # the unprivileged user rewrites its stats file there
    with Netns() as ns:
        cfg = os.path.join(env.work, "daemon.toml")
        stats = os.path.join(env.work, "daemon-stats.json")
        out = os.path.join(env.work, "daemon.json")
        open(cfg, "w").write(f"""[capture]
interfaces = ["{ns.rx}"]
workers = 2
[daemon]
user = "nobody"
stats_interval = 0.1
stats_json = "{stats}"
prometheus = "127.0.0.1:0"
[[output]]
path = "{out}"
""")
        live = Live(env, ["--config", cfg], ns=ns, tag="daemon")
        live.stats = stats
        live.out = out
        try:
            live.ready()
            st = proc_status(live.proc.pid)
            c.check(st["Uid"][:3] == ["65534"] * 3, "privileges: running as nobody after the capture opened",
                    str(st["Uid"]))
            c.check(int(st["CapEff"][0], 16) == 0, "privileges: no capabilities left", str(st["CapEff"]))
            ns.run("tcpreplay", "-q", "-i", ns.tx, "--multiplier", SPEEDUP, pcap)
            live.wait_packets(packets_in(pcap))
            port = wait_for(lambda: __import__("re").search(r"metrics on port (\d+)", live.stderr()), 5, "port")
            fetch = ("import urllib.request,sys;"
                     f"sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:{port.group(1)}/metrics').read().decode())")
            text = ""
            # The metrics refresh every second: wait until they show every packet.
            def all_packets():
                nonlocal text
                text = ns.run(sys.executable, "-c", fetch, text=True).stdout
                got = sum(float(l.split()[-1]) for l in text.splitlines() if l.startswith("picket_packets_total{"))
                return got >= packets_in(pcap)
            wait_for(all_packets, 10, "metrics with every packet")
            c.check("picket_drops_total" in text and "picket_flows_active" in text,
                    "prometheus: packets, drops and flows exported", text[:400])
            c.check('picket_detector_keys_refused_total{detector="portscan"} 0' in text
                    and 'picket_detector_hosts_evicted_total{detector="spambot"} 0' in text,
                    "prometheus: detector counters exported (nothing refused at the defaults)",
                    "\n".join(l for l in text.splitlines() if "detector" in l)[:600])
        except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as e:
            live.stop(signal.SIGKILL)
            c.check(False, "daemon: capture", f"{e}\n{live.stderr()[-800:]}")
            return
        rc = live.stop()
        c.check(rc == 0, "daemon: SIGTERM, exit 0", str(rc))
        c.check(keys_of(out) == want, "daemon: findings equal the replay's", f"{keys_of(out)} vs {want}")


def case_cap_net_raw(env, c):
    """As an unprivileged user holding only CAP_NET_RAW, libpcap capture with fanout works."""
    if why := can_netns():
        return skip(why)
    if subprocess.run(["sh", "-c", "command -v setpriv"], capture_output=True).returncode != 0:
        return skip("setpriv (util-linux) not installed")
    pcap = env.generate("demo")
    want = replay_keys(env, pcap)
    os.chmod(env.work, 0o777)
    with Netns() as ns:
        setpriv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all,+net_raw",
                   "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw"]
        live = Live(env, ["-q", "-w", "2", "-i", ns.rx], tag="capraw")
        live.proc.kill()
        live.proc.wait()
        # The root process may have created its output before it was killed;
        # nobody could not open root's file again.
        for path in (live.out, live.stats):
            if os.path.exists(path):
                os.remove(path)
        cmd = ns.cmd(*setpriv, env.picket, "run", "--stats-interval", "0.1", "--stats-json", live.stats, "-o",
                     live.out, "-q", "-w", "2", "-i", ns.rx)
        live.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=live.errf)
        try:
            live.ready()
            st = proc_status(live.proc.pid)
            c.check(st["Uid"][0] == "65534" and int(st["CapEff"][0], 16) == 1 << 13,
                    "only CAP_NET_RAW, as nobody", f"{st['Uid']} {st['CapEff']}")
            ns.run("tcpreplay", "-q", "-i", ns.tx, "--multiplier", SPEEDUP, pcap)
            live.wait_packets(packets_in(pcap))
        except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as e:
            live.stop(signal.SIGKILL)
            c.check(False, "CAP_NET_RAW: capture", f"{e}\n{live.stderr()[-800:]}")
            return
        rc = live.stop()
        c.check(rc == 0, "CAP_NET_RAW: exit 0", str(rc))
        c.check(keys_of(live.out) == want, "CAP_NET_RAW: findings equal the replay's")


CASES = {"pcap_fanout": case_pcap_fanout, "dpdk_af_packet": case_dpdk_af_packet, "dpdk_net_pcap": case_dpdk_net_pcap,
         "signals": case_signals, "config": case_config, "daemon": case_daemon, "cap_net_raw": case_cap_net_raw}

if __name__ == "__main__":
    sys.exit(e2e.main(CASES))
