#!/usr/bin/env python3
"""End-to-end tests of picket's DNS detectors (src/detect/dns/README.md).

Usage: e2e_dns.py CASE --picket PATH --src SOURCE_ROOT --work DIR
CASE: scenarios (generated DNS captures raise exactly what gen-traffic
expects, with the right evidence), shared (the real captures in
../shared/pcaps: tunnels fire, benign captures stay silent), workers (1, 2
and 4 workers give identical findings).  Prints one line per check and a
closing 'N passed, M failed'; exit 77 when the inputs are absent.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import SKIP, comparable, final_state  # noqa: E402

EXFIL = "Trojan:EC2/DNSDataExfiltration"
DNS_TYPES = {EXFIL, "Trojan:EC2/DGADomainRequest.B", "Trojan:EC2/NXDOMAINStorm",
             "UnauthorizedAccess:EC2/MetadataDNSRebind", "Trojan:EC2/BlackholeTraffic!DNS"}


def dns_scenarios(env):
    listing = subprocess.run([sys.executable, env.gen, "list"], check=True, capture_output=True, text=True).stdout
    return [l.split()[0] for l in listing.splitlines() if l.startswith("dns_")]


def actor(f):
    return f["resource"]["instanceDetails"]["networkInterfaces"][0]["privateIpAddress"]


def expected(env, name):
    out = subprocess.run([sys.executable, env.gen, "expect", name, "--actors"], check=True,
                         capture_output=True, text=True).stdout
    return sorted(tuple(l.split()) for l in out.splitlines() if l.strip())


def case_scenarios(env, c):
    """Each DNS scenario raises exactly the (type, actor) pairs gen-traffic expects."""
    for name in dns_scenarios(env) + ["benign_web", "dns_mix", "demo"]:
        final = list(final_state(env.replay(env.generate(name))[0]).values())
        got = sorted((f["type"], actor(f)) for f in final if f["type"] in DNS_TYPES)
        want = expected(env, name) if name.startswith("dns_") else []
        c.check(got == want, f"{name}: {want or 'no DNS finding'}", f"got {got}")

    # Evidence and rendering of one finding of each kind.
    f = list(final_state(env.replay(env.generate("dns_tunnel_base32"))[0]).values())[0]
    act = f["service"]["action"]
    ev = f["service"]["evidence"]
    c.check(act["actionType"] == "DNS_REQUEST" and act["dnsRequestAction"]["domain"] == "exfil-example.com"
            and act["dnsRequestAction"]["protocol"] == "UDP" and f["service"]["resourceRole"] == "ACTOR"
            and f["severity"] == 8.0, "dns_tunnel_base32: DNS_REQUEST for exfil-example.com, ACTOR, High 8.0", str(act))
    # 800 queries of 32 bytes (2-byte sequence + 30 data) in base32: about 26 KB of information.
    c.check(ev["uniqueNamesInWindow"] == 800 and 20000 <= ev["bytesInWindow"] <= 30000,
            "dns_tunnel_base32: 800 distinct names, 20-30 KB of information", str(ev))
    slow = list(final_state(env.replay(env.generate("dns_tunnel_slow"))[0]).values())[0]
    c.check(slow["service"]["eventLastSeen"] > slow["service"]["eventFirstSeen"] and
            slow["service"]["evidence"]["bytesInWindow"] >= 4096, "dns_tunnel_slow: crossed 4 KiB over hours",
            str(slow["service"]["evidence"]))
    io = list(final_state(env.replay(env.generate("dns_iodine"))[0]).values())[0]
    c.check(io["service"]["evidence"]["toolSignature"] == 1 and
            io["service"]["action"]["dnsRequestAction"]["domain"] == "pirate-example.net",
            "dns_iodine: iodine signature under pirate-example.net", str(io["service"]["evidence"]))
    dc = list(final_state(env.replay(env.generate("dns_dnscat2"))[0]).values())[0]
    c.check(dc["service"]["evidence"]["toolSignature"] == 2 and
            dc["service"]["action"]["dnsRequestAction"]["domain"] == "dnscat", "dns_dnscat2: dnscat2 signature")
    for style in ("random", "hex", "dictionary", "consonant"):
        d = list(final_state(env.replay(env.generate("dns_dga_" + style))[0]).values())[0]
        ev = d["service"]["evidence"]
        c.check(d["severity"] == 8.0 and ev["nxDomainsInWindow"] == 39 and ev["scoreSum"] >= 8,
                f"dns_dga_{style}: 39 NXDOMAIN domains, score sum {ev['scoreSum']}", str(ev))
    rb = list(final_state(env.replay(env.generate("dns_rebind"))[0]).values())
    rb = [f for f in rb if f["type"] in DNS_TYPES][0]
    c.check(rb["service"]["action"]["dnsRequestAction"]["domain"] == "a.7f000001.rebind-example.net"
            and rb["service"]["evidence"]["sampleHosts"] == ["169.254.169.254"],
            "dns_rebind: the name and the metadata address", str(rb["service"]))
    sk = list(final_state(env.replay(env.generate("dns_sinkhole"))[0]).values())[0]
    c.check(sk["service"]["action"]["dnsRequestAction"]["domain"] == "seized-example.com" and sk["severity"] == 5.0,
            "dns_sinkhole: seized-example.com, Medium 5.0")
    # Thresholds are parameters: raising one silences its finding.
    c.check(final_state(env.replay(env.generate("dns_nxstorm"), "--param", "nxdomain_storm.min_names=151")[0]) == {},
            "dns_nxstorm: silent with min_names=151 (150 names)")
    c.check(final_state(env.replay(env.generate("dns_tunnel_base32"), "--disable", "dns_exfil")[0]) == {},
            "dns_tunnel_base32: silent with dns_exfil disabled")


# The real captures (../shared/pcaps/MANIFEST.md). The two 2-packet files are
# single queries: one name is not a transfer (README: Decisions), so silent.
SHARED = [
    ("dns_tunnel/ndpi_iodine.pcap", [(EXFIL, "10.0.2.30", "pirate.sea")]),
    ("dns_tunnel/ndpi_dnscat2_cname.pcap", [(EXFIL, "192.168.220.56", "dnscat")]),
    ("dns_tunnel/ndpi_dnscat2_skullseclabs.pcap", [(EXFIL, "192.168.43.91", "skullseclabs.org")]),
    ("dns_tunnel/suricata_dns2tcp_txt.pcap", [(EXFIL, "10.30.28.90", "tunnel.com")]),
    ("dns_tunnel/ndpi_dns_exf_base64.pcap", []),
    ("dns_tunnel/ndpi_dns_long_name.pcap", []),
]


def case_shared(env, c):
    """Tunnels in the real corpus fire; every benign capture (and the other categories) stays silent of DNS findings."""
    if not os.path.isdir(env.shared):
        print(f"skipped: {env.shared} not present")
        return SKIP
    cases = list(SHARED)
    for cat in ("benign", "c2", "tor", "scan", "dos", "mining", "bruteforce"):
        d = os.path.join(env.shared, cat)
        if os.path.isdir(d):
            cases += [(f"{cat}/{f}", []) for f in sorted(os.listdir(d)) if f.endswith((".pcap", ".pcapng"))]
    for rel, want in cases:
        path = os.path.join(env.shared, rel)
        if not os.path.exists(path):
            c.check(False, f"{rel}: present")
            continue
        final = [f for f in final_state(env.replay(path)[0]).values() if f["type"] in DNS_TYPES]
        got = sorted((f["type"], actor(f), f["service"]["action"]["dnsRequestAction"]["domain"]) for f in final)
        c.check(got == sorted(want), f"{rel}: {want or 'no DNS finding'}", f"got {got}")


def case_workers(env, c):
    """1, 2 and 4 workers give identical findings on the DNS scenarios and the real tunnels."""
    pcaps = [env.generate(n) for n in dns_scenarios(env) if n not in ("dns_benign_office",)]
    if os.path.isdir(env.shared):
        pcaps += [os.path.join(env.shared, r) for r, _ in SHARED[:4]]
    for pcap in pcaps:
        states = []
        for w in (1, 2, 4):
            states.append(sorted(comparable(f) for f in final_state(env.replay(pcap, workers=w)[0]).values()))
        c.check(states[0] == states[1] == states[2],
                f"{os.path.basename(pcap)}: identical findings with 1, 2, 4 workers ({len(states[0])} findings)")


CASES = {"scenarios": case_scenarios, "shared": case_shared, "workers": case_workers}


if __name__ == "__main__":
    sys.exit(e2e.main(CASES))
