#!/usr/bin/env python3
"""End-to-end tests of GeoIP/ASN enrichment (src/geoip/README.md).

Usage: e2e_geoip.py CASE --picket PATH --src SOURCE_ROOT --work DIR
CASE: replay (generated scans replayed with --geoip-db: the remote address's
remoteIpDetails carry country, city, geoLocation and organization, equal to
what mmdblookup reads from the same databases and to the values
make_test_mmdb.pl wrote), samples (sample-findings enriched, cache hits
counted), errors (missing, corrupt or unsupported databases: exit 2 with the
file named, nothing delivered). Prints one line per check and a closing
'N passed, M failed'; exit 77 when perl's MaxMind::DB::Writer or mmdblookup
is absent.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import SKIP, final_state  # noqa: E402

# What make_test_mmdb.pl writes, by hand: remote address -> expected remoteIpDetails.
KNOWN = {
    "203.0.113.10": {"organization": {"asn": "64501", "asnOrg": "Documentation Net B"},
                     "country": {"countryCode": "JP", "countryName": "Japan"},
                     "city": {"cityName": "Tokyo"}, "geoLocation": {"lat": 35.6895, "lon": 139.6917}},
    "198.51.100.77": {"organization": {"asn": "64500", "asnOrg": "Documentation Net A"},
                      "country": {"countryCode": "DE", "countryName": "Germany"},
                      "city": {"cityName": "Berlin"}, "geoLocation": {"lat": 52.52, "lon": 13.405}},
}


def make_dbs(env):
    """Writes the test databases into the work directory; None when the tools are missing."""
    if not shutil.which("mmdblookup"):
        print("skip: mmdblookup (mmdb-bin) not found")
        return None
    if subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"], capture_output=True).returncode != 0:
        print("skip: perl MaxMind::DB::Writer (libmaxmind-db-writer-perl) not found")
        return None
    script = os.path.join(env.src, "tests", "unit", "geoip", "make_test_mmdb.pl")
    subprocess.run(["perl", script, env.work], check=True)
    return {k: os.path.join(env.work, f"test-{k}.mmdb") for k in ("city", "country", "asn", "isp", "anon")}


def mmdblookup(db, ip, *path):
    """One value from mmdblookup's own output (libmaxminddb's reference tool)."""
    p = subprocess.run(["mmdblookup", "-f", db, "-i", ip, *path], capture_output=True, text=True)
    if p.returncode != 0 or "Could not find" in p.stdout + p.stderr:
        return None
    text = p.stdout.strip()  # e.g. '"Tokyo" <utf8_string>' or '64501 <uint32>'
    value, _, kind = text.rpartition(" ")
    if kind == "<utf8_string>":
        return json.loads(value)
    if kind in ("<double>", "<float>"):
        return float(value)
    return int(value)


def independent_details(dbs, ip):
    """remoteIpDetails as GuardDuty would write them, built from mmdblookup alone."""
    return {
        "organization": {"asn": str(mmdblookup(dbs["asn"], ip, "autonomous_system_number")),
                         "asnOrg": mmdblookup(dbs["asn"], ip, "autonomous_system_organization")},
        "country": {"countryCode": mmdblookup(dbs["city"], ip, "country", "iso_code"),
                    "countryName": mmdblookup(dbs["city"], ip, "country", "names", "en")},
        "city": {"cityName": mmdblookup(dbs["city"], ip, "city", "names", "en")},
        "geoLocation": {"lat": mmdblookup(dbs["city"], ip, "location", "latitude"),
                        "lon": mmdblookup(dbs["city"], ip, "location", "longitude")},
    }


def remote_details(f):
    """Every remoteIpDetails object of a finding."""
    a = f["service"]["action"]
    if "networkConnectionAction" in a:
        return [a["networkConnectionAction"]["remoteIpDetails"]]
    if "portProbeAction" in a:
        return [d["remoteIpDetails"] for d in a["portProbeAction"]["portProbeDetails"]]
    return []


def geo_part(d):
    return {k: v for k, v in d.items() if not k.startswith("ipAddress")}


def case_replay(env, c):
    dbs = make_dbs(env)
    if not dbs:
        return SKIP
    for scenario, remote, ftype in (("portscan", "203.0.113.10", "Recon:EC2/Portscan"),
                                    ("inbound_portscan", "198.51.100.77", "Recon:EC2/InboundPortscan")):
        indep = independent_details(dbs, remote)
        c.check(indep == KNOWN[remote], f"{scenario}: mmdblookup reads what make_test_mmdb.pl wrote for {remote}",
                json.dumps(indep))
        pcap = env.generate(scenario)
        findings, stats = env.replay(pcap, "--geoip-db", dbs["city"], "--geoip-db", dbs["asn"], stats=True)
        last = [f for f in final_state(findings).values() if f["type"] == ftype]
        if not c.check(len(last) == 1, f"{scenario}: one {ftype} finding", str([f["type"] for f in findings])):
            continue
        details = remote_details(last[0])
        c.check(len(details) > 0 and all(d.get("ipAddressV4") == remote for d in details),
                f"{scenario}: remoteIpDetails name {remote}", json.dumps(details)[:300])
        c.check(all(geo_part(d) == indep for d in details),
                f"{scenario}: remoteIpDetails equal mmdblookup's answers ({len(details)} entries)",
                json.dumps(details[0])[:400])
        local = last[0]["resource"]["instanceDetails"]["networkInterfaces"][0]
        c.check(set(local) <= {"privateIpAddress", "privateIpAddresses", "ipv6Addresses"},
                f"{scenario}: the local host is not enriched", json.dumps(local))
        g = stats.get("delivery", {}).get("geoip", {})
        c.check(g.get("lookups", 0) >= 1 and g.get("lookups") == g.get("cache_hits", 0) + g.get("cache_misses", 0)
                and g.get("errors") == 0, f"{scenario}: stats count lookups = hits + misses, no errors", json.dumps(g))
        c.check([d["kind"] for d in g.get("databases", [])] == ["City", "ASN"],
                f"{scenario}: stats list the databases by kind", json.dumps(g.get("databases")))
        # Without --geoip-db the same replay writes bare addresses.
        plain, _ = env.replay(pcap)
        bare = [d for f in plain for d in remote_details(f) if f["type"] == ftype]
        c.check(bare and all(set(d) == {"ipAddressV4"} for d in bare), f"{scenario}: no --geoip-db, no enrichment")
    # ip-location-db's flat country records: the ISO table names the country.
    findings, _ = env.replay(env.generate("portscan"), "--geoip-db", dbs["country"])
    details = [d for f in findings if f["type"] == "Recon:EC2/Portscan" for d in remote_details(f)]
    c.check(details and all(d.get("country") == {"countryCode": "JP", "countryName": "Japan"} and "city" not in d
                            for d in details), "flat country database: countryCode and countryName only",
            json.dumps(details[:1]))


def run(env, *args):
    return subprocess.run([env.picket, *args], capture_output=True, text=True, timeout=60)


def case_samples(env, c):
    dbs = make_dbs(env)
    if not dbs:
        return SKIP
    stats = os.path.join(env.work, "samples.json")
    p = run(env, "sample-findings", "-q", "--rounds", "3", "--geoip-db", dbs["city"], "--geoip-db", dbs["asn"],
            "--geoip-db", dbs["isp"], "--stats-json", stats)
    c.check(p.returncode == 0, "sample-findings with three databases: exit 0", p.stderr[-300:])
    findings = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    enriched = 0
    for f in findings:
        for d in remote_details(f):
            ip = d.get("ipAddressV4", "")
            want = "JP" if ip.startswith("203.0.113.") else "DE" if ip.startswith("198.51.100.") else None
            ok = want is not None and d.get("country", {}).get("countryCode") == want
            if ip.startswith("203.0.113.") and ip.split(".")[3].isdigit() and int(ip.split(".")[3]) >= 128:
                ok = ok and d["organization"]["asn"] == "64503"
            if ip.startswith("203.0.113."):
                ok = ok and d["organization"].get("isp") == "Example Transit ISP"
            enriched += ok
            if not ok:
                c.check(False, f"sample {f['type']} remote {ip} enriched", json.dumps(d))
    c.check(enriched > 0, f"sample-findings: {enriched} remoteIpDetails enriched")
    g = json.load(open(stats))["delivery"].get("geoip", {})
    c.check(g.get("cache_hits", 0) > 0 and g["lookups"] == g["cache_hits"] + g["cache_misses"],
            "samples repeat addresses: cache hits counted", json.dumps(g))


def case_errors(env, c):
    dbs = make_dbs(env)
    if not dbs:
        return SKIP
    junk = os.path.join(env.work, "junk.mmdb")
    with open(junk, "wb") as f:
        f.write(bytes((i * 131 + 7) % 256 for i in range(4096)))
    truncated = os.path.join(env.work, "truncated.mmdb")
    with open(dbs["city"], "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    pcap = env.generate("portscan")
    for name, path, words in (("missing", os.path.join(env.work, "nope.mmdb"), "cannot read"),
                              ("corrupt", junk, "not a MaxMind DB"),
                              ("truncated", truncated, "not a MaxMind DB"),
                              ("unsupported kind", dbs["anon"], "GeoIP2-Anonymous-IP"),
                              ("directory", env.work, "not a regular file")):
        for cmd in (["replay", "-q", pcap], ["sample-findings", "-q"]):
            p = run(env, *cmd, "--geoip-db", dbs["asn"], "--geoip-db", path)
            c.check(p.returncode == 2 and path in p.stderr and words in p.stderr and p.stdout == "",
                    f"{cmd[0]} with a {name} database: exit 2 naming it, nothing delivered",
                    f"rc={p.returncode} stderr={p.stderr.strip()[:200]}")


CASES = {"replay": case_replay, "samples": case_samples, "errors": case_errors}

if __name__ == "__main__":
    sys.exit(e2e.main(CASES))
