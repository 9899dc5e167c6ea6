#!/usr/bin/env python3
"""End-to-end tests of threat lists (src/intel, src/detect/intel).

Usage: e2e_intel.py CASE --picket PATH --src SOURCE_ROOT --work DIR
CASE: lists (the generated intel_lists capture raises exactly gentraffic/intel.py's
INTEL_EXPECT with tests/data/intel's lists, nothing without them, the trusted host
only when its list is not trusted), check (picket intel check on good and broken
lists), config ([intel] in the configuration file), shared (real captures and
maltrail lists from ../shared/pcaps), reload (SIGHUP during a replay fed through a
FIFO loads a changed list; findings from the new entry follow).
"""
import json
import os
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import SKIP, final_state  # noqa: E402

LISTS = ["c2", "mining", "phishing", "tor", "scanner", "custom", "dga"]


def local_host(f):
    return f["resource"]["instanceDetails"]["instanceId"][len("host-"):]


def gentraffic_intel(env):
    sys.path.insert(0, os.path.join(env.src, "scripts"))
    from gentraffic import intel  # noqa: E402
    return intel


def intel_expect(env):
    intel = gentraffic_intel(env)
    return sorted(tuple(x) for x in intel.INTEL_EXPECT), intel.TRUSTED_HOST


def list_args(env, trusted=True):
    d = os.path.join(env.src, "tests", "data", "intel")
    args = ["--no-default-lists"]
    for n in LISTS:
        args += ["--threat-list", os.path.join(d, n + ".txt")]
    if trusted:
        args += ["--trusted-list", os.path.join(d, "trusted.txt")]
    return args


def case_lists(env, c):
    """Category -> finding type end to end, with trusted-list suppression."""
    want, trusted_host = intel_expect(env)
    pcap = env.generate("intel_lists")
    findings, st = env.replay(pcap, *list_args(env), stats=True)
    final = list(final_state(findings).values())
    got = sorted((f["type"], local_host(f)) for f in final)
    c.check(got == want, "intel_lists: exactly the expected (type, host) pairs", f"got {got}")
    c.check(st["findings"]["trusted_dropped"] == 1, "intel_lists: one finding dropped by the trusted list",
            str(st["findings"]))
    by_type = {f["type"]: f for f in final}
    cc = by_type.get("Backdoor:EC2/C&CActivity.B")
    c.check(cc is not None and cc["service"]["evidence"].get("domain") == "api.c2-test.example" and
            cc["service"]["evidence"]["threatIntelligenceDetails"] ==
            [{"threatListName": "test-c2", "threatNames": ["c2-test.example"]}] and
            cc["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]["ipAddressV4"] == "198.51.100.23",
            "C&CActivity.B names the domain that resolved to 198.51.100.23", json.dumps(cc and cc["service"]))
    pool = by_type.get("CryptoCurrency:EC2/BitcoinTool.B")
    c.check(pool is not None and pool["service"]["evidence"]["threatIntelligenceDetails"][0]["threatNames"] ==
            ["203.0.113.90", "stratum pool"] and
            pool["service"]["action"]["networkConnectionAction"]["remotePortDetails"]["port"] == 3333,
            "BitcoinTool.B: the pool entry, its threat name and port 3333")
    probe = by_type.get("Recon:EC2/PortProbeUnprotectedPort")
    ports = probe and [p["localPortDetails"]["port"] for p in probe["service"]["action"]["portProbeAction"]["portProbeDetails"]]
    c.check(ports == [22], "PortProbeUnprotectedPort: only the port that answered (22)", str(ports))
    caller = by_type.get("UnauthorizedAccess:EC2/TorIPCaller")
    c.check(caller is not None and caller["service"]["resourceRole"] == "TARGET" and
            caller["service"]["action"]["networkConnectionAction"]["connectionDirection"] == "INBOUND",
            "TorIPCaller: INBOUND, local host is the TARGET")

    gi = gentraffic_intel(env)
    url = [f for f in final if local_host(f) == "10.1.0.89"]
    ev = url[0]["service"]["evidence"] if len(url) == 1 else {}
    c.check(len(url) == 1 and ev.get("httpUrl") == 1 and "httpHost" not in ev and
            ev.get("threatIntelligenceDetails") ==
            [{"threatListName": "test-c2", "threatNames": [gi.URL_HOST + gi.URL_PATH, "gate panel"]}] and
            url[0]["service"]["action"]["dnsRequestAction"]["domain"] == gi.URL_HOST,
            "URL entry: matched on httpUrl, naming the list's URL and the host", json.dumps(url))
    c.check(not any(local_host(f) == gi.URL_SILENT_HOST for f in final),
            "another path on the listed URL's host: no finding")
    c.check(not any(local_host(f) == gi.URL_CUT_HOST for f in final),
            "the listed URL with a request target cut at 255 bytes: no finding")

    untrusted = list(final_state(env.replay(pcap, *list_args(env, trusted=False))[0]).values())
    got2 = sorted((f["type"], local_host(f)) for f in untrusted)
    c.check(got2 == sorted(want + [("Backdoor:EC2/C&CActivity.B!DNS", trusted_host)]),
            "without the trusted list the trusted host's query is reported too", str(got2))
    none = env.replay(pcap, "--no-default-lists")[0]
    c.check(none == [], "without lists: no finding", str([f["type"] for f in none]))
    one = sorted(json.dumps(f, sort_keys=True) for f in final)
    four = sorted(json.dumps(f, sort_keys=True) for f in final_state(env.replay(pcap, *list_args(env), workers=4)[0]).values())
    c.check(one == four, "2 and 4 workers give identical findings")


def run(env, *args):
    return subprocess.run([env.picket, *args], capture_output=True, text=True, timeout=120)


def case_check(env, c):
    """picket intel check: counts per list, FILE:LINE errors, exit status."""
    d = os.path.join(env.src, "tests", "data", "intel")
    p = run(env, "intel", "check", *[os.path.join(d, n + ".txt") for n in LISTS])
    # Counted by hand from tests/data/intel: c2 has a domain and a URL, tor two
    # addresses, the five others one entry each.
    c.check(p.returncode == 0 and "total: 9 entries in 7 lists, 0 errors" in p.stdout,
            "check of the test lists: 9 entries, exit 0", p.stdout + p.stderr)
    c.check("list 'test-c2', category c2, format text: 0 addresses, 1 domains, 0 patterns, 1 urls, 0 unsupported"
            in p.stdout, "check of the test lists: c2's URL entry is counted", p.stdout)
    broken = os.path.join(env.work, "broken.txt")
    with open(broken, "w") as f:
        f.write("#! category: c2\nok.example\nnot..a..name\n203.0.113.0/40\n#! colour: red\n198.51.100.1\n"
                "http://bad..host/gate.php\n")
    p = run(env, "intel", "check", broken)
    c.check(p.returncode == 1, "broken list: exit 1", str(p.returncode))
    for line, what in ((3, "not an IP address"), (4, "bad CIDR"), (5, "unknown metadata key"), (7, "bad URL host")):
        c.check(f"{broken}:{line}: " in p.stdout and what in p.stdout, f"broken list: line {line} reported ({what})",
                p.stdout)
    c.check("2 addresses" not in p.stdout and "1 addresses, 1 domains" in p.stdout,
            "broken list: the good lines still load", p.stdout)
    csv = os.path.join(env.work, "otx.csv")
    with open(csv, "w") as f:
        f.write("Indicator type,Indicator,Description\nIPv4,203.0.113.5,x\nFileHash-MD5,abc,\nhostname,h.example,\n"
                "URL,http://u.example/a.exe,\nURL,ftp://u.example/b.exe,\n")
    p = run(env, "intel", "check", "custom:otx=" + csv)
    c.check(p.returncode == 0 and "list 'otx', category custom, format csv: 1 addresses, 1 domains, 0 patterns, "
            "1 urls, 2 unsupported" in p.stdout, "OTX CSV: counts, the http URL, unsupported hash and ftp URL",
            p.stdout)
    p = run(env, "intel", "check", "evil:x=" + csv)
    c.check(p.returncode == 2 and "unknown category 'evil'" in p.stderr, "unknown category: usage error", p.stderr)
    p = run(env, "replay", "-q", "--threat-list", "/nonexistent/list.txt", "--no-default-lists",
            env.generate("intel_lists"))
    c.check(p.returncode == 0 and "/nonexistent/list.txt: cannot read" in p.stderr,
            "replay with an unreadable list: reported, replay goes on", p.stderr)


def case_config(env, c):
    """[intel] in the configuration file, with its errors naming file, line and key."""
    d = os.path.join(env.src, "tests", "data", "intel")
    cfg = os.path.join(env.work, "picket.toml")
    with open(cfg, "w") as f:
        f.write("[intel]\ndefault_lists = false\nthreat_lists = [%s]\ntrusted_lists = [\"%s\"]\n" % (
            ", ".join('"%s"' % os.path.join(d, n + ".txt") for n in LISTS), os.path.join(d, "trusted.txt")))
    want, _ = intel_expect(env)
    findings = env.replay(env.generate("intel_lists"), "--config", cfg)[0]
    got = sorted((f["type"], local_host(f)) for f in final_state(findings).values())
    c.check(got == want, "lists from [intel] give the same findings as the options", str(got))
    with open(cfg, "w") as f:
        f.write("[intel]\n\nthreat_lists = [{ path = \"x.txt\", category = \"evil\" }]\n")
    p = run(env, "replay", "-q", "--config", cfg, env.generate("intel_lists"))
    c.check(p.returncode == 2 and f"{cfg}:3: key 'intel.threat_lists.category': unknown category 'evil'" in p.stderr,
            "bad category in [intel]: file, line and key", p.stderr)


def case_shared(env, c):
    """Real captures against real maltrail lists (../shared/pcaps/MANIFEST.md)."""
    trick = os.path.join(env.shared, "c2", "ndpi_trickbot_post.pcap")
    emotet = os.path.join(env.shared, "intel", "maltrail", "malware__emotet.txt")
    if not (os.path.exists(trick) and os.path.exists(emotet)):
        print("shared captures absent: skipped")
        return SKIP
    p = run(env, "intel", "check", emotet)
    c.check("format maltrail" in p.stdout and "category custom" in p.stdout, "emotet.txt is read as a maltrail file",
            p.stdout[-400:])
    findings = env.replay(trick, "--no-default-lists", "--threat-list", "c2:maltrail-emotet=" + emotet)[0]
    final = list(final_state(findings).values())
    hits = [f for f in final if f["type"] == "Backdoor:EC2/C&CActivity.B"]
    c.check(len(hits) == 1 and local_host(hits[0]) == "10.12.29.101" and
            hits[0]["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]["ipAddressV4"] == "82.118.225.196",
            "trickbot capture: 10.12.29.101 -> 82.118.225.196 is C&CActivity.B (maltrail emotet list)",
            str([(f["type"], local_host(f)) for f in final]))
    em = os.path.join(env.shared, "c2", "ndpi_emotet.pcap")
    findings = env.replay(em, "--no-default-lists", "--threat-list", "c2:maltrail-emotet=" + emotet)[0]
    pairs = sorted(set((f["type"], local_host(f)) for f in final_state(findings).values()
                       if "threatIntelligenceDetails" in f["service"]["evidence"]))
    c.check(("Backdoor:EC2/C&CActivity.B", "10.4.25.101") in pairs,
            "emotet capture: 10.4.25.101's TLS to 138.197.147.101 is C&CActivity.B", str(pairs))
    # maltrail lists gandhitoday.org and filmmogzivota.rs only as URL trails (host/path);
    # MANIFEST.md names the two GETs of those paths in the capture. They match as
    # URLs (httpUrl), never as the whole host (httpHost, dns).
    url_hits = sorted((local_host(f), f["service"]["evidence"]["threatIntelligenceDetails"][0]["threatNames"][0])
                      for f in final_state(findings).values()
                      if f["type"] == "Backdoor:EC2/C&CActivity.B!DNS" and "httpUrl" in f["service"]["evidence"])
    c.check(url_hits == [("10.4.20.102", "gandhitoday.org/video/6JvA8/"),
                         ("10.4.25.101", "filmmogzivota.rs/SpryAssets/gDR/")],
            "emotet capture: the two GETs of maltrail URL trails are C&CActivity.B!DNS on httpUrl", str(url_hits))
    c.check(not any(t.endswith("!DNS") and ("httpHost" in f["service"]["evidence"] or "dns" in f["service"]["evidence"])
                    for f in final_state(findings).values() for t in [f["type"]]),
            "emotet capture: URL trails are not turned into domain hits", str(pairs))
    tor = os.path.join(env.shared, "tor", "ndpi_tor_2013.pcap")
    if os.path.exists(tor):
        relays = os.path.join(env.work, "tor2013.txt")
        with open(relays, "w") as f:  # the 2013 relays named in MANIFEST.md
            f.write("#! category: tor\n91.143.93.242\n38.229.70.53\n46.59.52.31\n212.83.155.250\n62.210.137.230\n")
        final = list(final_state(env.replay(tor, "--no-default-lists", "--threat-list", relays)[0]).values())
        clients = sorted(set(f["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]["ipAddressV4"]
                             for f in final if f["type"] == "UnauthorizedAccess:EC2/TorClient"))
        c.check(clients == sorted(["91.143.93.242", "38.229.70.53", "46.59.52.31", "212.83.155.250", "62.210.137.230"]),
                "tor 2013 capture: TorClient for each of the 5 relays", str(clients))


def read_pcap(path):
    data = open(path, "rb").read()
    header, pos, records = data[:24], 24, []
    while pos + 16 <= len(data):
        incl = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        records.append(data[pos:pos + 16 + incl])
        pos += 16 + incl
    return header, records


def case_reload(env, c):
    """SIGHUP while replaying: the changed list is loaded and matched, no packet lost."""
    d = os.path.join(env.src, "tests", "data", "intel")
    lst = os.path.join(env.work, "live.txt")
    with open(lst, "w") as f:
        f.write("#! category: custom\nsomething-else.example\n")
    header, records = read_pcap(env.generate("intel_lists"))
    fifo = os.path.join(env.work, "feed")
    os.mkfifo(fifo)
    out = os.path.join(env.work, "findings.json")
    stats = os.path.join(env.work, "stats.json")
    proc = subprocess.Popen([env.picket, "replay", "-q", "-w", "2", "-o", out, "--stats-json", stats,
                             "--no-default-lists", "--threat-list", lst, fifo], stderr=subprocess.PIPE, text=True)
    with open(fifo, "wb") as feed:
        feed.write(header + b"".join(records[:4]))  # the c2 look-up: no list names it
        feed.flush()
        time.sleep(0.5)
        with open(lst, "a") as f:
            f.write("bad.custom-test.example\n")
        proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        line = ""
        while time.time() < deadline:
            line = proc.stderr.readline()
            if "reload published" in line or not line:
                break
        c.check("reload published" in line, "SIGHUP: the reload is published", line)
        feed.write(b"".join(records[4:]))
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        c.check(False, "replay ends after the feed closes")
        return
    c.check(proc.returncode == 0, "replay exits 0", str(proc.returncode) + err[-300:])
    final = list(final_state([json.loads(l) for l in open(out)]).values())
    got = sorted((f["type"], local_host(f)) for f in final)
    c.check(got == [("Impact:EC2/MaliciousDomainRequest.Custom", "10.1.0.86")],
            "the entry added before SIGHUP raises its finding", str(got))
    st = json.load(open(stats))
    c.check(st["input"]["packets"] == len(records), "every packet was read", f"{st['input']['packets']} of {len(records)}")


def case_canaries(env, c):
    """Every bundled canary name raises its category's finding with the bundled lists alone."""
    sys.path.insert(0, os.path.join(env.src, "scripts"))
    from gentraffic import intel  # noqa: E402
    rules = os.path.join(env.src, "rules", "intel")
    bundled = sorted(n[len("canary-"):-len(".txt")] for n in os.listdir(rules)
                     if n.startswith("canary-") and n.endswith(".txt"))
    c.check(bundled == sorted(intel.CANARY_EXPECT), "the scenario covers every rules/intel/canary-*.txt",
            f"files {bundled}, scenario {sorted(intel.CANARY_EXPECT)}")
    pcap = env.generate("intel_canaries")
    final = list(final_state(env.replay(pcap)[0]).values())
    got = sorted((f["type"], local_host(f)) for f in final)
    c.check(got == sorted(intel.canary_expect()), "one finding of the category's type per canary look-up",
            f"got {got}")
    for f in final:
        ti = f["service"]["evidence"].get("threatIntelligenceDetails") or [{}]
        names = ti[0].get("threatNames") or []
        c.check(ti[0].get("threatListName", "").startswith("canary-") and
                any(n.endswith(".canary.picket.invalid") for n in names),
                f"{f['type']}: names its canary list and entry", json.dumps(ti))
    quiet = final_state(env.replay(pcap, "--no-default-lists")[0])
    c.check(not quiet, "without the bundled lists the canaries raise nothing", str(list(quiet)))


if __name__ == "__main__":
    sys.exit(e2e.main({"lists": case_lists, "check": case_check, "config": case_config, "shared": case_shared,
                       "reload": case_reload, "canaries": case_canaries}))
