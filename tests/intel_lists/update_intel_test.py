#!/usr/bin/env python3
"""scripts/update-intel against a local HTTP server on loopback serving small
fixture feeds (tests/intel_lists/fixtures, written by hand in each feed's
format): the converted lists hold exactly the entries the fixtures carry
(worked out by hand below), with the headers, and pass
check_intel_lists.py; a failing feed keeps its previous file and sets exit
status 1; --dry-run makes no request.

usage: update_intel_test.py --src DIR --work DIR
Prints one line per check and 'N passed, M failed'."""
import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading

passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


# Expected entries per feed, from the fixtures by hand.
EXPECTED = {
    "tor-exits": ["192.0.2.10", "192.0.2.11", "198.51.100.200"],   # duplicate and junk line dropped
    "tor-relays": ["192.0.2.10", "2001:db8::10", "203.0.113.5"],   # brackets removed, "[zz::1]" dropped
    "spamhaus-drop": ["192.0.2.0/24", "198.51.100.0/25", "2001:db8:100::/48"],  # 300.1.2.0/24 dropped
    "feodo-c2": ["203.0.113.66", "203.0.113.67"],
    "urlhaus-hosts": ["malware-host.example", "second-host.example", "192.0.2.99"],  # lowercased, dot removed
    "maltrail-mining": ["pool.mining-fixture.example", "198.51.100.33", "2001:db8:aa::1"],  # port cut, URL skipped
}
CATEGORY = {"tor-exits": "tor", "tor-relays": "tor", "spamhaus-drop": "custom", "feodo-c2": "c2",
            "urlhaus-hosts": "driveby", "maltrail-mining": "mining"}


class Server:
    def __init__(self, root):
        self.requests = []
        outer = self

        class H(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a):
                outer.requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=root))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def read_list(path):
    headers, entries = {}, []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("#!"):
            k, _, v = line[2:].partition(":")
            headers[k.strip()] = v.strip()
        elif line and not line.startswith("#"):
            entries.append(line)
    return headers, entries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", default=tempfile.gettempdir())
    a = ap.parse_args()
    script = os.path.join(a.src, "scripts", "update-intel")
    checker = os.path.join(a.src, "tests", "intel_lists", "check_intel_lists.py")
    fixtures = os.path.join(a.src, "tests", "intel_lists", "fixtures")
    os.makedirs(a.work, exist_ok=True)
    work = tempfile.mkdtemp(prefix="update-intel-", dir=a.work)
    out = os.path.join(work, "intel")
    srv = Server(fixtures)
    try:
        # --dry-run: lists the URLs under --base-url, fetches nothing, writes nothing.
        p = subprocess.run([sys.executable, script, "--dry-run", "--dir", out, "--base-url", srv.url],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and p.stdout.count("would fetch ") == 7 and srv.url + "/drop/drop_v6.json" in p.stdout,
              "dry run prints the 7 URLs it would fetch", p.stdout[-300:] + p.stderr[-300:])
        check(not srv.requests and not os.path.exists(out), "dry run makes no request and writes nothing",
              str(srv.requests))

        p = subprocess.run([sys.executable, script, "--dir", out, "--base-url", srv.url, "--timeout", "10"],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == 0, "all fixture feeds fetched and converted: exit 0", p.stderr[-500:])
        for name, want in EXPECTED.items():
            path = os.path.join(out, name + ".txt")
            if not os.path.exists(path):
                check(False, f"{name}: written")
                continue
            headers, entries = read_list(path)
            check(entries == want, f"{name}: entries as the fixture carries them", f"{entries} != {want}")
            check(headers.get("name") == name and headers.get("category") == CATEGORY[name]
                  and "fetched" in headers.get("source", ""), f"{name}: name, category and source headers",
                  str(headers))
        check("tor-exits: 3 entries (1 lines skipped)" in p.stdout and "maltrail-mining: 3 entries (1 lines skipped)"
              in p.stdout, "skipped lines are counted", p.stdout)
        c = subprocess.run([sys.executable, checker, "--dir", out, "--no-block-sources"], capture_output=True,
                           text=True, timeout=60)
        check(c.returncode == 0, "converted lists pass check_intel_lists.py", c.stdout[-500:])

        # One feed gone (404): its old file stays, the others are rewritten, exit 1.
        broken = os.path.join(work, "fixtures-broken")
        shutil.copytree(fixtures, broken)
        os.remove(os.path.join(broken, "downloads", "ipblocklist.txt"))
        with open(os.path.join(broken, "torbulkexitlist"), "w") as f:
            f.write("192.0.2.12\n")
        srv.stop()
        srv = Server(broken)
        before = open(os.path.join(out, "feodo-c2.txt")).read()
        p = subprocess.run([sys.executable, script, "--dir", out, "--base-url", srv.url, "--timeout", "10"],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == 1 and "feodo-c2" in p.stderr and "previous file kept" in p.stderr,
              "a failing feed is reported and sets exit status 1", p.stderr[-300:])
        check(open(os.path.join(out, "feodo-c2.txt")).read() == before, "the failing feed's previous file is kept")
        check(read_list(os.path.join(out, "tor-exits.txt"))[1] == ["192.0.2.12"], "the other feeds are updated")
        check(not [f for f in os.listdir(out) if f.startswith(".")], "no temporary files left behind",
              str(os.listdir(out)))
        p = subprocess.run([sys.executable, script, "--only", "nope", "--dir", out], capture_output=True, text=True)
        check(p.returncode == 2 and "unknown feed" in p.stderr, "an unknown --only name is an error")
    finally:
        srv.stop()
    print(f"{passed} passed, {failed} failed")
    if failed == 0:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
