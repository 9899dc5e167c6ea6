#!/usr/bin/env python3
"""End-to-end tests of findings delivery (src/export): a real rsyslogd on
loopback (UDP, TCP, TLS with a test CA made here, Unix socket), suppression
rules, hooks, webhook receivers (HTTP, and HTTPS with a test CA), shutdown
flush, and a sink outage.

usage: delivery_e2e.py CASE --picket PATH --src DIR --work DIR
Prints 'N passed, M failed'; exits 0 if all passed, 1 if not, 77 if a
needed tool is missing."""
import argparse
import fnmatch
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}")
    return cond


def need(*tools):
    for t in tools:
        if not shutil.which(t) and not os.path.exists(t):
            print(f"skip: {t} not found")
            print("0 passed, 0 failed")
            sys.exit(SKIP)


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---- RFC 5424 parser (independent of picket's code) -----------------------

HEADER = re.compile(r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) ")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$")


def parse_sd(s, i):
    """Parses STRUCTURED-DATA at s[i:]; returns ({sd_id: {name: value}}, next index)."""
    if s[i] == "-":
        return {}, i + 1
    out = {}
    while i < len(s) and s[i] == "[":
        j = i + 1
        while s[j] not in " ]":
            j += 1
        sd_id = s[i + 1:j]
        assert 0 < len(sd_id) <= 32 and all(33 <= ord(c) <= 126 and c not in '= ]"' for c in sd_id), sd_id
        params = {}
        i = j
        while s[i] == " ":
            i += 1
            j = s.index("=", i)
            name = s[i:j]
            assert 0 < len(name) <= 32 and all(33 <= ord(c) <= 126 and c not in '= ]"' for c in name), name
            assert s[j + 1] == '"'
            k = j + 2
            val = []
            while s[k] != '"':
                if s[k] == "\\" and s[k + 1] in '"\\]':
                    val.append(s[k + 1])
                    k += 2
                else:
                    assert s[k] not in '"]' or s[k - 1] == "\\", "unescaped in SD value"
                    val.append(s[k])
                    k += 1
            params[name] = "".join(val)
            i = k + 1
        assert s[i] == "]", f"SD element not closed at {i}"
        out[sd_id] = params
        i += 1
    return out, i


def parse_5424(line):
    m = HEADER.match(line)
    if not m:
        raise ValueError("no RFC 5424 header")
    pri = int(m.group(1))
    assert pri <= 191, "PRI out of range"
    ts, host, app, procid, msgid = m.group(2, 3, 4, 5, 6)
    assert TIMESTAMP.match(ts), f"bad TIMESTAMP {ts}"
    assert len(host) <= 255 and len(app) <= 48 and len(procid) <= 128 and len(msgid) <= 32
    sd, i = parse_sd(line, m.end())
    msg = ""
    if i < len(line):
        assert line[i] == " ", "no SP before MSG"
        msg = line[i + 1:]
    return {"facility": pri >> 3, "severity": pri & 7, "timestamp": ts, "hostname": host, "app": app,
            "procid": procid, "msgid": msgid, "sd": sd, "msg": msg}


def expected_syslog_severity(sev):
    return 2 if sev >= 9 else 3 if sev >= 7 else 4 if sev >= 4 else 5


# ---- rsyslog ----------------------------------------------------------------

class Rsyslog:
    def __init__(self, work, name, inputs, global_extra="", module_extra=""):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.out = os.path.join(self.dir, "out.log")
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        self.pidfile = os.path.join(self.dir, "rsyslog.pid")
        with open(self.conf, "w") as f:
            f.write(f'global(workDirectory="{self.dir}" maxMessageSize="64k" {global_extra})\n')
            f.write(inputs + "\n")
            f.write('template(name="raw" type="string" string="%rawmsg%\\n")\n')
            f.write(f'action(type="omfile" file="{self.out}" template="raw")\n')
        self.proc = None

    def start(self, wait_tcp=None, wait_path=None):
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "a")
        self.proc = subprocess.Popen(["rsyslogd", "-n", "-f", self.conf, "-i", self.pidfile],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("rsyslogd exited: " + open(os.path.join(self.dir, "rsyslogd.log")).read())
            if wait_tcp:
                try:
                    socket.create_connection(("127.0.0.1", wait_tcp), timeout=0.2).close()
                    return
                except OSError:
                    pass
            elif wait_path:
                if os.path.exists(wait_path):
                    return
            elif os.path.exists(self.pidfile):
                time.sleep(0.5)  # UDP: no way to probe; the pidfile comes after the inputs
                return
            time.sleep(0.05)
        raise RuntimeError("rsyslogd did not start")

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def lines(self, expect=None, timeout=10):
        """Lines written so far; waits up to `timeout` for `expect` of them."""
        deadline = time.time() + timeout
        while True:
            try:
                with open(self.out, encoding="utf-8") as f:
                    ls = [l.rstrip("\n") for l in f if l.strip()]
            except FileNotFoundError:
                ls = []
            if expect is None or len(ls) >= expect or time.time() > deadline:
                return ls
            time.sleep(0.1)


def picket(args, **kw):
    return subprocess.run([A.picket] + args, capture_output=True, text=True, timeout=kw.pop("timeout", 120), **kw)


def read_json_lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def n_types():
    out = picket(["sample-findings", "-q"])
    return len(out.stdout.splitlines())


_N_TYPES = []


def n_types_cached():
    if not _N_TYPES:
        _N_TYPES.append(n_types())
    return _N_TYPES[0]


def udp_rcvbuf_errors():
    """The kernel's count of UDP datagrams dropped because a receive buffer was
    full (all sockets; for diagnosis only)."""
    try:
        with open("/proc/net/snmp") as f:
            rows = [l.split() for l in f if l.startswith("Udp:")]
        return int(rows[1][rows[0].index("RcvbufErrors")])
    except (OSError, ValueError, IndexError):
        return None


def check_syslog_delivery(name, rs, url, rounds, extra_args=(), protocol="5424"):
    """Sends `rounds` rounds of samples to `url` and to a JSON file; checks that
    every finding arrived once, intact, as valid RFC 5424."""
    ref = os.path.join(rs.dir, "ref.json")
    stats = os.path.join(rs.dir, "stats.json")
    drops0 = udp_rcvbuf_errors()
    r = picket(["sample-findings", "-q", "--rounds", str(rounds), "--output", ref, "--syslog", url,
                "--stats-json", stats] + list(extra_args))
    check(r.returncode == 0, f"{name}: picket exit 0 (got {r.returncode}; {r.stderr.strip()[:300]})")
    sent = read_json_lines(ref)
    lines = rs.lines(expect=len(sent))
    drops1 = udp_rcvbuf_errors()
    kernel = f"; kernel UDP RcvbufErrors +{drops1 - drops0}" if None not in (drops0, drops1) else ""
    check(len(lines) == len(sent), f"{name}: {len(sent)} findings sent, {len(lines)} received{kernel}")
    by_id = {f["id"]: json.dumps(f, separators=(",", ":")) for f in sent}
    raw_ref = {json.loads(l)["id"]: l.rstrip("\n") for l in open(ref)}
    ok_parse = ok_intact = ok_sd = ok_sev = True
    seen = set()
    for l in lines:
        try:
            m = parse_5424(l)
        except Exception as e:  # noqa: BLE001
            ok_parse = False
            print(f"  unparsable: {e}: {l[:200]}")
            continue
        fid = m["sd"].get("finding@32473", {}).get("id")
        if fid not in raw_ref or m["msg"] != raw_ref[fid]:
            ok_intact = False
            continue
        seen.add(fid)
        f = json.loads(m["msg"])
        sd = m["sd"]["finding@32473"]
        if not (sd["type"] == f["type"] and float(sd["severity"]) == f["severity"] and int(sd["count"]) ==
                f["service"]["count"] and m["msgid"] == "NEW" and m["app"] == "picket"):
            ok_sd = False
        if m["severity"] != expected_syslog_severity(f["severity"]) or m["facility"] != 16:
            ok_sev = False
    check(ok_parse, f"{name}: every message parses as RFC 5424")
    check(ok_intact, f"{name}: every MSG is the finding JSON, byte for byte")
    check(seen == set(by_id), f"{name}: every finding id arrived ({len(seen)}/{len(by_id)})")
    check(ok_sd, f"{name}: structured data (id, type, severity, count) and MSGID agree with the JSON")
    check(ok_sev, f"{name}: syslog severity maps GuardDuty's bands (Critical 2, High 3, Medium 4, Low 5)")
    st = json.load(open(stats))["delivery"]["sinks"]
    sy = [s for s in st if s["name"].startswith("syslog")][0]
    check(sy["delivered"] == len(sent) and sy["dropped"] == 0,
          f"{name}: stats say {sy['delivered']} delivered, {sy['dropped']} dropped")
    return sent


# ---- cases ------------------------------------------------------------------

def case_udp():
    need("rsyslogd")
    port = free_port(socket.SOCK_DGRAM)
    rs = Rsyslog(A.work, "udp", f'module(load="imudp")\ninput(type="imudp" address="127.0.0.1" port="{port}")')
    rs.start()
    try:
        # UDP has no flow control: a burst larger than the receiver's socket
        # buffer (rmem_default, 208 KiB: about 100 of these datagrams on
        # loopback) is dropped by the kernel whenever rsyslogd is not scheduled
        # in time, which a loaded machine makes likely. So the sender is paced:
        # each round is one burst of one sample per type, with a pause between
        # rounds, and every finding must still arrive intact.
        check(n_types() * 2 * 1024 < 100 * 1024, f"udp: one round ({n_types()} datagrams) fits a receive buffer")
        check_syslog_delivery("udp", rs, f"udp://127.0.0.1:{port}", 20, extra_args=["--interval", "0.05"])
    finally:
        rs.kill(signal.SIGTERM)


def case_tcp():
    need("rsyslogd")
    port = free_port()
    rs = Rsyslog(A.work, "tcp", f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")')
    rs.start(wait_tcp=port)
    try:
        check_syslog_delivery("tcp", rs, f"tcp://127.0.0.1:{port}", 100)
    finally:
        rs.kill(signal.SIGTERM)


def make_pki(d):
    """A test CA, a server certificate for 127.0.0.1/localhost, a client certificate."""
    def run(*a):
        subprocess.run(a, check=True, capture_output=True, cwd=d)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=picket test CA")
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
                      ("client", "subjectAltName=DNS:picket-client\nextendedKeyUsage=clientAuth")):
        run("openssl", "req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write(ext + "\n")
        run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
    # A second CA that signed nothing here: verifying the server with it must fail.
    run("openssl", "req", "-x509", *ec, "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=other CA")


def tls_rsyslog(name, port, pki):
    return Rsyslog(A.work, name,
                   f'module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" '
                   f'StreamDriver.Authmode="x509/certvalid")\n'
                   f'input(type="imtcp" address="127.0.0.1" port="{port}")',
                   global_extra=f'DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="{pki}/ca.pem" '
                                f'DefaultNetstreamDriverCertFile="{pki}/server.pem" '
                                f'DefaultNetstreamDriverKeyFile="{pki}/server.key"')


def case_tls():
    need("rsyslogd", "openssl")
    if not os.path.exists("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so") and not any(
            os.path.exists(os.path.join(d, "lmnsd_gtls.so")) for d in ("/usr/lib/rsyslog", "/usr/lib64/rsyslog")):
        need("rsyslog-gnutls (lmnsd_gtls.so)")
    pki = os.path.join(A.work, "pki")
    os.makedirs(pki, exist_ok=True)
    make_pki(pki)
    port = free_port()
    rs = tls_rsyslog("tls", port, pki)
    rs.start(wait_tcp=port)
    try:
        url = f"tls://127.0.0.1:{port}?ca={pki}/ca.pem&cert={pki}/client.pem&key={pki}/client.key"
        check_syslog_delivery("tls", rs, url, 50)
        # Wrong CA: the server is not trusted, nothing is sent, and the loss is counted.
        before = len(rs.lines())
        stats = os.path.join(rs.dir, "bad.json")
        r = picket(["sample-findings", "-q", "--syslog",
                    f"tls://127.0.0.1:{port}?ca={pki}/other.pem&cert={pki}/client.pem&key={pki}/client.key"
                    "&drain_timeout=1", "--stats-json", stats])
        st = json.load(open(stats))["delivery"]["sinks"][0]
        check(r.returncode == 1 and st["delivered"] == 0 and st["dropped"] == n_types(),
              f"tls: untrusted server certificate: nothing delivered, all {st['dropped']} counted as dropped, exit 1")
        check("certificate" in r.stderr, "tls: the verification failure is logged")
        time.sleep(0.5)
        check(len(rs.lines()) == before, "tls: the receiver got nothing from the untrusted session")
        # No client certificate: the server (x509/certvalid) refuses us.
        r = picket(["sample-findings", "-q", "--syslog", f"tls://127.0.0.1:{port}?ca={pki}/ca.pem&drain_timeout=1"])
        time.sleep(0.5)
        check(len(rs.lines()) == before, "tls: without a client certificate nothing is accepted")
    finally:
        rs.kill(signal.SIGTERM)


def case_unix():
    need("rsyslogd")
    d = os.path.join(A.work, "unix")
    os.makedirs(d, exist_ok=True)
    sock = os.path.join(d, "log.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    rs = Rsyslog(A.work, "unix", f'module(load="imuxsock" SysSock.Use="off")\n'
                                 f'input(type="imuxsock" Socket="{sock}" CreatePath="on")')
    rs.start(wait_path=sock)
    try:
        ref = os.path.join(d, "ref.json")
        r = picket(["sample-findings", "-q", "--rounds", "5", "--output", ref, "--syslog", f"unix://{sock}"])
        check(r.returncode == 0, f"unix: exit 0 ({r.stderr.strip()[:200]})")
        sent = [l.rstrip("\n") for l in open(ref)]
        lines = rs.lines(expect=len(sent))
        check(len(lines) == len(sent), f"unix: {len(sent)} sent, {len(lines)} received")
        pat = re.compile(r"^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d picket\[\d+\]: (.*)$")
        ok = all(pat.match(l) and pat.match(l).group(2) in sent for l in lines)
        check(ok, "unix: RFC 3164 '<PRI>Mmm dd hh:mm:ss picket[PID]: JSON', JSON intact")
    finally:
        rs.kill(signal.SIGTERM)


def case_formats():
    """CEF and the EventBridge envelope over TCP syslog, and the envelope in a file."""
    need("rsyslogd")
    port = free_port()
    rs = Rsyslog(A.work, "formats", f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")')
    rs.start(wait_tcp=port)
    try:
        ref = os.path.join(rs.dir, "ref.json")
        eb = os.path.join(rs.dir, "eb.json")
        r = picket(["sample-findings", "-q", "--output", ref, "--output", eb + "?format=eventbridge",
                    "--syslog", f"tcp://127.0.0.1:{port}?format=cef", "--syslog",
                    f"tcp://127.0.0.1:{port}?format=eventbridge&protocol=rfc3164"])
        check(r.returncode == 0, "formats: exit 0")
        sent = read_json_lines(ref)
        lines = rs.lines(expect=2 * len(sent))
        cef = [parse_5424(l) for l in lines if " CEF:0|" in l]
        check(len(cef) == len(sent), f"formats: {len(cef)} CEF messages")
        ok = True
        for m in cef:
            hdr = m["msg"].split("|")
            ok &= hdr[0] == "CEF:0" and hdr[1] == "picket" and hdr[4] in {f["type"] for f in sent}
            ok &= "externalId=" in m["msg"] and "cnt=" in m["msg"]
        check(ok, "formats: CEF header Device Vendor/Product/Event Class and extension fields")
        envs = [l for l in lines if '"detail-type"' in l]
        ok = len(envs) == len(sent)
        for l in envs:
            env = json.loads(l[l.index(": {") + 2:])
            ok &= env["detail-type"] == "GuardDuty Finding" and env["source"] == "aws.guardduty"
            ok &= env["detail"] in sent and env["account"] == "000000000000"
        check(ok, "formats: EventBridge envelope over RFC 3164 syslog carries the finding as detail")
        envf = read_json_lines(eb)
        check([e["detail"] for e in envf] == sent and all(e["detail-type"] == "GuardDuty Finding" for e in envf),
              "formats: EventBridge envelope in a file wraps each finding unchanged")
    finally:
        rs.kill(signal.SIGTERM)


RULES = [
    # (rule body, predicate on the finding JSON that says whether it is suppressed)
    ('type = { equals = ["Recon:EC2/InboundPortscan"] }', lambda f: f["type"] == "Recon:EC2/InboundPortscan"),
    ('type = { notEquals = ["Recon:EC2/Portscan"] }', lambda f: f["type"] != "Recon:EC2/Portscan"),
    ('severity = { greaterThan = 5 }', lambda f: f["severity"] > 5),
    ('severity = { greaterThanOrEqual = 5 }', lambda f: f["severity"] >= 5),
    ('severity = { lessThan = 5 }', lambda f: f["severity"] < 5),
    ('severity = { lessThanOrEqual = 5.0 }', lambda f: f["severity"] <= 5),
    ('"service.count" = { greaterThan = 3 }', lambda f: f["service"]["count"] > 3),
    ('type = { matches = ["Recon:*"] }', lambda f: f["type"].startswith("Recon:")),
    ('type = { notMatches = ["*Port?can"] }', lambda f: not re.fullmatch(r".*Port.can", f["type"])),
    ('"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4" = { equals = ["198.51.100.0/29"] }',
     lambda f: "networkConnectionAction" in f["service"]["action"] and
     int(f["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]["ipAddressV4"].split(".")[3]) < 8),
    ('"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4" = { notEquals = ["198.51.100.0/30", "198.51.100.9"] }',
     lambda f: not ("networkConnectionAction" in f["service"]["action"] and
                    (int(f["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]["ipAddressV4"].split(".")[3]) < 4 or
                     f["service"]["action"]["networkConnectionAction"]["remoteIpDetails"]["ipAddressV4"] == "198.51.100.9"))),
    # AND of criteria, OR of values
    ('type = { equals = ["Recon:EC2/Portscan", "Impact:EC2/PortSweep"] }\n"service.count" = { lessThanOrEqual = 2 }',
     lambda f: f["type"] in ("Recon:EC2/Portscan", "Impact:EC2/PortSweep") and f["service"]["count"] <= 2),
    ('"service.action.portProbeAction.portProbeDetails.localPortDetails.port" = { equals = [3389] }',
     lambda f: "portProbeAction" in f["service"]["action"] and
     any(d["localPortDetails"]["port"] == 3389 for d in f["service"]["action"]["portProbeAction"]["portProbeDetails"])),
]


def case_suppression():
    need("rsyslogd")
    port = free_port()
    rs = Rsyslog(A.work, "suppress", f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")')
    rs.start(wait_tcp=port)
    d = rs.dir
    try:
        for i, (body, pred) in enumerate(RULES):
            conf = os.path.join(d, f"rules{i}.toml")
            with open(conf, "w") as f:
                f.write(f'[[suppress]]\nname = "r{i}"\n[suppress.criteria]\n{body}\n')
            allf = os.path.join(d, f"all{i}.json")
            before = len(rs.lines())
            r = picket(["sample-findings", "-q", "--rounds", "12", "--config", conf, "--output",
                        allf + "?archived=true", "--syslog", f"tcp://127.0.0.1:{port}"])
            if not check(r.returncode == 0, f"rule {i}: exit 0 ({r.stderr.strip()[:300]})"):
                continue
            found = read_json_lines(allf)
            want = [pred(f) for f in found]
            got = [f["service"]["archived"] for f in found]
            op = re.search(r"(\w+) = ", body.split("{")[1]).group(1)
            check(want == got and any(want) and not all(want) or (want == got and body.startswith("type = { notEquals")),
                  f"rule {i} ({op}): {sum(got)} of {len(found)} archived as expected")
            lines = rs.lines(expect=before + len(found) - sum(got))[before:]
            time.sleep(0.2)
            lines = rs.lines()[before:]
            ids = {parse_5424(l)["sd"]["finding@32473"]["id"] for l in lines}
            check(len(lines) == len(found) - sum(got) and
                  not any(f["id"] in ids for f in found if f["service"]["archived"]) and
                  all(f["id"] in ids for f in found if not f["service"]["archived"]),
                  f"rule {i}: archived findings never reach syslog, the others all do")
        # A severity floor per sink.
        allf = os.path.join(d, "floor.json")
        before = len(rs.lines())
        r = picket(["sample-findings", "-q", "--rounds", "3", "--output", allf,
                    "--syslog", f"tcp://127.0.0.1:{port}?min_severity=High"])
        found = read_json_lines(allf)
        high = [f for f in found if f["severity"] >= 7]
        lines = rs.lines(expect=before + len(high))[before:]
        time.sleep(0.3)
        lines = rs.lines()[before:]
        check(len(lines) == len(high) and len(high) > 0,
              f"severity floor: syslog min_severity=High got {len(lines)} of {len(found)} (expected {len(high)})")
        # Errors name the file, the line and the key.
        bad = os.path.join(d, "bad.toml")
        with open(bad, "w") as f:
            f.write('[[suppress]]\nname = "x"\n[suppress.criteria]\n"service.nope" = { equals = ["a"] }\n')
        r = picket(["sample-findings", "--config", bad])
        check(r.returncode == 2 and f"{bad}:4" in r.stderr and "service.nope" in r.stderr,
              f"bad field: exit 2 naming file:line and key ({r.stderr.strip()})")
        with open(bad, "w") as f:
            f.write('[[suppress]]\n[suppress.criteria]\nseverity = { biggerThan = 3 }\n')
        r = picket(["sample-findings", "--config", bad])
        check(r.returncode == 2 and f"{bad}:3" in r.stderr and "biggerThan" in r.stderr,
              f"bad operator: exit 2 naming file:line and key ({r.stderr.strip()})")
        with open(bad, "w") as f:
            f.write('[[syslog]]\nurl = "tcp://127.0.0.1:1"\nmin_severity = "loud"\n')
        r = picket(["sample-findings", "--config", bad])
        check(r.returncode == 2 and f"{bad}:3" in r.stderr and "min_severity" in r.stderr,
              f"bad sink setting: exit 2 naming file:line and key ({r.stderr.strip()})")
        with open(bad, "w") as f:
            f.write('[[suppress]\n')
        r = picket(["sample-findings", "--config", bad])
        check(r.returncode == 2 and f"{bad}:1" in r.stderr, f"TOML syntax error: file:line ({r.stderr.strip()})")
        # The shipped example loads.
        r = picket(["sample-findings", "-q", "--config", os.path.join(A.src, "rules/suppression.example.toml"),
                    "--output", os.path.join(d, "ex.json") + "?archived=true"])
        check(r.returncode == 0, f"rules/suppression.example.toml loads ({r.stderr.strip()[:300]})")
    finally:
        rs.kill(signal.SIGTERM)


HOOK = r'''#!/usr/bin/env python3
import json, os, sys
data = sys.stdin.buffer.read()
d = os.environ["HOOK_OUT"]
fid = os.environ["PICKET_FINDING_ID"]
with open(os.path.join(d, fid + ".stdin"), "wb") as f:
    f.write(data)
with open(os.path.join(d, fid + ".argv"), "w") as f:
    json.dump(sys.argv[1:], f)
sys.stderr.write("hook saw " + json.loads(data)["type"] + "\n")
sys.exit(int(os.environ.get("HOOK_EXIT", "0")))
'''


HOOK_TYPES = ["Recon:*", "Impact:*"]
HOOK_MIN_SEVERITY = 4


def hook_wants(f):
    """Whether the hook below (min_severity=4&types=Recon:*,Impact:*) runs for finding f."""
    return f["severity"] >= HOOK_MIN_SEVERITY and any(fnmatch.fnmatchcase(f["type"], t) for t in HOOK_TYPES)


def case_hooks():
    d = os.path.join(A.work, "hooks")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    hook = os.path.join(d, "hook.py")
    with open(hook, "w") as f:
        f.write(HOOK)
    os.chmod(hook, 0o755)
    env = dict(os.environ, HOOK_OUT=d)
    ref = os.path.join(d, "ref.json")
    stats = os.path.join(d, "stats.json")
    r = picket(["sample-findings", "-q", "--rounds", "4", "--output", ref, "--stats-json", stats,
                "--hook", hook + f"?min_severity={HOOK_MIN_SEVERITY}&types={','.join(HOOK_TYPES)}"
                                 "&args=a b,$(touch " + d + "/pwned)"],
               env=env)
    check(r.returncode == 0, f"hooks: exit 0 ({r.stderr.strip()[:300]})")
    sent = read_json_lines(ref)
    want = [f for f in sent if hook_wants(f)]
    # Both filters must have something to do, or the check below proves little.
    by_sev = {f["type"] for f in sent if f["severity"] < HOOK_MIN_SEVERITY}
    by_type = {f["type"] for f in sent if f["severity"] >= HOOK_MIN_SEVERITY and not hook_wants(f)}
    check(want and by_sev and by_type,
          f"hooks: the samples exercise both filters ({len(want)} wanted; below the floor {sorted(by_sev)}; "
          f"other types {sorted(by_type)})")
    got = [n[:-6] for n in os.listdir(d) if n.endswith(".stdin")]
    check(sorted(got) == sorted(f["id"] for f in want),
          f"hooks: ran for the {len(want)} findings of severity >= {HOOK_MIN_SEVERITY} and types {HOOK_TYPES}, "
          f"not the others ({len(got)})")
    raw = {json.loads(l)["id"]: l for l in open(ref)}
    check(all(open(os.path.join(d, i + ".stdin")).read() == raw[i] for i in got), "hooks: stdin is the finding JSON line")
    check(all(json.load(open(os.path.join(d, i + ".argv"))) == ["a b", "$(touch " + d + "/pwned)"] for i in got),
          "hooks: argv passed verbatim, no shell")
    check(not os.path.exists(os.path.join(d, "pwned")), "hooks: nothing was interpolated by a shell")
    st = json.load(open(stats))["delivery"]["sinks"]
    h = [s for s in st if s["name"].startswith("hook")][0]
    check(h["delivered"] == len(want) and h["stderr_lines"] == len(want) and h["filtered"] == len(sent) - len(want),
          f"hooks: counted {h['delivered']} runs, {h['stderr_lines']} stderr lines, {h['filtered']} filtered")
    check(r.stderr.count("hook saw") == len(want), "hooks: stderr of the program is logged")
    # Exit status counted; timeout kills.
    r = picket(["sample-findings", "-q", "--stats-json", stats, "--hook", hook], env=dict(env, HOOK_EXIT="3"))
    h = json.load(open(stats))["delivery"]["sinks"][0]
    check(h["exit_nonzero"] == n_types() and "exit status 3" in r.stderr, "hooks: nonzero exit status counted and logged")
    slow = os.path.join(d, "slow.sh")
    with open(slow, "w") as f:
        f.write("#!/bin/sh\nexec sleep 30\n")
    os.chmod(slow, 0o755)
    t0 = time.time()
    r = picket(["sample-findings", "-q", "--stats-json", stats, "--hook", slow + "?timeout=0.5&concurrency=8"])
    h = json.load(open(stats))["delivery"]["sinks"][0]
    check(h["timeouts"] == n_types() and time.time() - t0 < 10, f"hooks: timeout kills ({h['timeouts']} timeouts)")
    # Rate limit: 2 runs per minute at most.
    r = picket(["sample-findings", "-q", "--rounds", "3", "--stats-json", stats, "--hook", hook + "?rate=2"], env=env)
    h = json.load(open(stats))["delivery"]["sinks"][0]
    check(h["delivered"] == 2 and h["rate_limited"] == 3 * n_types() - 2,
          f"hooks: rate limit ({h['delivered']} run, {h['rate_limited']} rate-limited)")
    # Concurrency: no more than N at once.
    conc = os.path.join(d, "conc.sh")
    with open(conc, "w") as f:
        f.write(f"#!/bin/sh\ncat >/dev/null\nmkdir {d}/lock.$$ ; ls -d {d}/lock.* | wc -l >> {d}/conc.log; sleep 0.2; rmdir {d}/lock.$$\n")
    os.chmod(conc, 0o755)
    r = picket(["sample-findings", "-q", "--rounds", "4", "--hook", conc + "?concurrency=2&rate=0"])
    mx = max(int(x) for x in open(os.path.join(d, "conc.log")).read().split())
    check(mx <= 2, f"hooks: concurrency=2 holds (max {mx} at once)")
    # Bundled example hook: prints the nft command, does not run it.
    ex = os.path.join(A.src, "rules/hooks/nft-block")
    r = picket(["sample-findings", "-q", "--hook", ex], env={k: v for k, v in os.environ.items() if k != "PICKET_NFT_APPLY"})
    check(r.returncode == 0 and "nft add element" in r.stderr and "198.51.100.1" in r.stderr,
          "rules/hooks/nft-block prints the nft command it would run")


def case_webhook():
    got = []
    codes = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = codes.pop(0) if codes else 200
            if code == 200:
                got.append((self.path, self.headers.get("Content-Type"), body))
            self.send_response(code)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    d = os.path.join(A.work, "webhook")
    os.makedirs(d, exist_ok=True)
    ref = os.path.join(d, "ref.json")
    stats = os.path.join(d, "stats.json")
    try:
        codes[:] = [500, 503]  # the first two attempts fail: retried
        r = picket(["sample-findings", "-q", "--output", ref, "--stats-json", stats,
                    "--webhook", f"http://127.0.0.1:{port}/hooks/picket"])
        sent = [l.rstrip("\n") for l in open(ref)]
        check(r.returncode == 0 and sorted(b.decode() for _, _, b in got) == sorted(sent),
              f"webhook: every finding POSTed as JSON despite two 5xx ({len(got)}/{len(sent)})")
        check(all(p == "/hooks/picket" and t == "application/json" for p, t, _ in got), "webhook: path and content type")
        w = json.load(open(stats))["delivery"]["sinks"][-1]
        check(w["retries"] == 2 and w["http_5xx"] == 2 and w["delivered"] == len(sent), f"webhook: retries counted {w}")
        got.clear()
        r = picket(["sample-findings", "-q", "--output", ref,
                    "--webhook", f"http://127.0.0.1:{port}/slack?format=slack&min_severity=7"])
        sent = read_json_lines(ref)
        high = {f["id"]: f for f in sent if f["severity"] >= 7}
        texts = [json.loads(b) for _, _, b in got]
        ok = r.returncode == 0 and 0 < len(high) < len(sent) and len(texts) == len(high)
        ok &= all(list(t) == ["text"] and isinstance(t["text"], str) for t in texts)
        # Each message names its finding (id and type) and is one of those at or above the floor, once.
        ids = [m.group(1) if m else None for m in (re.search(r", id ([0-9a-f]{32})$", t["text"]) for t in texts)]
        ok &= None not in ids and sorted(ids) == sorted(high)
        ok &= all(high[i]["type"] in t["text"] for i, t in zip(ids, texts) if i in high)
        check(ok, f"webhook: Slack-compatible {{\"text\"}} message, severity floor ({len(texts)} messages for the "
                  f"{len(high)} of {len(sent)} findings with severity >= 7)")
        got.clear()
        codes[:] = [400] * n_types()
        r = picket(["sample-findings", "-q", "--stats-json", stats, "--webhook", f"http://127.0.0.1:{port}/x"])
        w = json.load(open(stats))["delivery"]["sinks"][0]
        check(r.returncode == 1 and w["dropped"] == n_types() and w["retries"] == 0,
              "webhook: a 4xx is not retried; the finding is dropped and counted, exit 1")
    finally:
        srv.shutdown()
    # Receiver down: retries with backoff, then drops with a counter.
    r = picket(["sample-findings", "-q", "--stats-json", stats,
                "--webhook", f"http://127.0.0.1:{free_port()}/?retries=3&backoff_max=0.05"])
    w = json.load(open(stats))["delivery"]["sinks"][0]
    check(w["dropped"] == n_types() and w["retries"] == 2 * n_types(), f"webhook: dead receiver: 3 attempts each, dropped ({w})")


def https_receiver(pki, cert):
    """An HTTPS webhook receiver on loopback presenting `cert` (pki/NAME.pem,
    NAME.key). Returns (server, port, state): state["got"] lists POST bodies,
    state["codes"] the statuses to answer first (then 200), state["handshake_failures"]
    counts TLS handshakes the client aborted."""
    import ssl
    state = {"got": [], "codes": [], "handshake_failures": 0}

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = state["codes"].pop(0) if state["codes"] else 200
            if code == 200:
                state["got"].append((self.path, self.headers.get("Content-Type"), body))
            self.send_response(code)
            self.end_headers()

        def log_message(self, *a):
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(pki, cert + ".pem"), os.path.join(pki, cert + ".key"))

    class Server(http.server.ThreadingHTTPServer):
        def get_request(self):
            sock, addr = self.socket.accept()
            try:
                return ctx.wrap_socket(sock, server_side=True), addr
            except (ssl.SSLError, OSError):
                # The client refused our certificate (or hung up): counted, not served.
                state["handshake_failures"] += 1
                sock.close()
                raise

    srv = Server(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1], state


def case_webhook_https():
    """https:// webhooks: the server verified against a CA given with ?ca=, retries
    over TLS, and untrusted, self-signed or misnamed certificates refused and counted."""
    need("openssl")
    pki = os.path.join(A.work, "pki")
    os.makedirs(pki, exist_ok=True)
    make_pki(pki)

    def run(*a):
        subprocess.run(a, check=True, capture_output=True, cwd=pki)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    # A self-signed certificate for the right address, and a CA-signed one for another name.
    run("openssl", "req", "-x509", *ec, "-keyout", "selfsigned.key", "-out", "selfsigned.pem", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    run("openssl", "req", *ec, "-keyout", "wrongname.key", "-out", "wrongname.csr", "-subj", "/CN=wrong.example")
    with open(os.path.join(pki, "wrongname.ext"), "w") as f:
        f.write("subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", "wrongname.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "wrongname.pem", "-days", "2", "-extfile", "wrongname.ext")
    # Independent check of the test PKI: openssl itself accepts server.pem and refuses the others.
    v = subprocess.run(["openssl", "verify", "-CAfile", "ca.pem", "-verify_ip", "127.0.0.1", "server.pem"],
                       capture_output=True, text=True, cwd=pki)
    check(v.returncode == 0, "webhook https: openssl verifies the test server certificate against the test CA")
    for bad, opts in (("selfsigned.pem", []), ("wrongname.pem", ["-verify_ip", "127.0.0.1"])):
        v = subprocess.run(["openssl", "verify", "-CAfile", "ca.pem", *opts, bad], capture_output=True, cwd=pki)
        check(v.returncode != 0, f"webhook https: openssl refuses {bad} as well")

    n = n_types()
    d = os.path.join(A.work, "webhook_https")
    os.makedirs(d, exist_ok=True)
    ref = os.path.join(d, "ref.json")
    stats = os.path.join(d, "stats.json")

    # Trusted: every finding arrives over TLS, two 5xx answers are retried.
    srv, port, st = https_receiver(pki, "server")
    try:
        st["codes"][:] = [503, 500]
        r = picket(["sample-findings", "-q", "--output", ref, "--stats-json", stats,
                    "--webhook", f"https://127.0.0.1:{port}/hooks/picket?ca={pki}/ca.pem"])
        sent = [l.rstrip("\n") for l in open(ref)]
        got = st["got"]
        check(r.returncode == 0 and len(sent) == n and sorted(b.decode() for _, _, b in got) == sorted(sent),
              f"webhook https: every finding POSTed over TLS, verified with ?ca= ({len(got)}/{len(sent)})", )
        check(all(p == "/hooks/picket" and t == "application/json" for p, t, _ in got),
              "webhook https: path and content type")
        w = json.load(open(stats))["delivery"]["sinks"][-1]
        check(w["name"].startswith("webhook https://") and w["delivered"] == n and w["retries"] == 2
              and w["http_5xx"] == 2 and w["dropped"] == 0 and st["handshake_failures"] == 0,
              f"webhook https: two 5xx retried and counted ({w})")

        # The same server without ?ca=: the system's trust store does not know the test CA.
        # And with a CA that did not sign the server's certificate.
        for label, query in (("system trust store", ""), ("another CA", f"ca={pki}/other.pem&")):
            st["got"].clear()
            before = st["handshake_failures"]
            r = picket(["sample-findings", "-q", "--stats-json", stats, "--webhook",
                        f"https://127.0.0.1:{port}/x?{query}retries=2&backoff_max=0.05&drain_timeout=5"])
            w = json.load(open(stats))["delivery"]["sinks"][0]
            check(r.returncode == 1 and w["delivered"] == 0 and w["dropped"] == n and w["errors"] == 2 * n
                  and w["retries"] == n and not st["got"] and st["handshake_failures"] - before == 2 * n,
                  f"webhook https: {label}: certificate refused on every attempt, nothing sent, "
                  f"all counted ({w}, {st['handshake_failures'] - before} aborted handshakes)")
            check("certificate" in r.stderr, f"webhook https: {label}: the verification failure is logged",
                  ) or print(r.stderr[-400:])
    finally:
        srv.shutdown()

    # A self-signed server certificate; a CA-signed certificate for another name.
    for cert, label in (("selfsigned", "self-signed certificate"), ("wrongname", "certificate for another name")):
        srv, port, st = https_receiver(pki, cert)
        try:
            r = picket(["sample-findings", "-q", "--stats-json", stats, "--webhook",
                        f"https://127.0.0.1:{port}/x?ca={pki}/ca.pem&retries=1&drain_timeout=5"])
            w = json.load(open(stats))["delivery"]["sinks"][0]
            check(r.returncode == 1 and w["delivered"] == 0 and w["dropped"] == n and w["errors"] == n
                  and not st["got"] and st["handshake_failures"] == n,
                  f"webhook https: {label} refused, every finding dropped and counted ({w})")
            if cert == "wrongname":
                # server_name= names the certificate's identity: then it is accepted.
                r = picket(["sample-findings", "-q", "--stats-json", stats, "--webhook",
                            f"https://127.0.0.1:{port}/x?ca={pki}/ca.pem&server_name=wrong.example"])
                w = json.load(open(stats))["delivery"]["sinks"][0]
                check(r.returncode == 0 and w["delivered"] == n and len(st["got"]) == n,
                      f"webhook https: server_name=wrong.example accepts the certificate made for it ({w})")
            else:
                # verify=false (testing only) takes any certificate.
                r = picket(["sample-findings", "-q", "--stats-json", stats, "--webhook",
                            f"https://127.0.0.1:{port}/x?verify=false"])
                w = json.load(open(stats))["delivery"]["sinks"][0]
                check(r.returncode == 0 and w["delivered"] == n and len(st["got"]) == n,
                      f"webhook https: verify=false accepts the self-signed certificate ({w})")
        finally:
            srv.shutdown()
    # A CA file that does not exist: a clear error at start.
    r = picket(["sample-findings", "-q", "--webhook", f"https://127.0.0.1:1/x?ca={pki}/nope.pem"])
    check(r.returncode == 2 and "nope.pem" in r.stderr, f"webhook https: missing CA file refused at start "
          f"(exit {r.returncode}: {r.stderr.strip()[:160]})")


def case_shutdown():
    """SIGTERM with findings still queued for a receiver that comes up late: all flushed."""
    need("rsyslogd")
    port = free_port()
    rs = Rsyslog(A.work, "shutdown", f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")')
    ref = os.path.join(rs.dir, "ref.json")
    stats = os.path.join(rs.dir, "stats.json")
    p = subprocess.Popen([A.picket, "sample-findings", "-q", "--rounds", "1000000", "--interval", "0.02",
                          "--output", ref, "--stats-json", stats, "--syslog",
                          f"tcp://127.0.0.1:{port}?backoff_max=0.5&drain_timeout=20"],
                         stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # receiver down: picket buffers
        rs.start(wait_tcp=port)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        check(p.returncode == 0, f"shutdown: clean exit after SIGTERM ({p.returncode}; {err.strip()[:200]})")
        sent = read_json_lines(ref)
        lines = rs.lines(expect=len(sent))
        ids = [parse_5424(l)["sd"]["finding@32473"]["id"] for l in lines]
        check(len(sent) > 30 and sorted(ids) == sorted(f["id"] for f in sent),
              f"shutdown: all {len(sent)} findings, buffered while the receiver was down, arrive after SIGTERM ({len(ids)})")
        st = json.load(open(stats))["delivery"]["sinks"]
        sy = [s for s in st if s["name"].startswith("syslog")][0]
        check(sy["dropped"] == 0 and sy["queued"] == 0 and sy["queue_peak"] > 10, f"shutdown: stats {sy}")
    finally:
        if p.poll() is None:
            p.kill()
        rs.kill(signal.SIGTERM)


def outage_run(name, tls_args, pki=None, queue=None):
    n_types_cached()
    port = free_port()
    rs = tls_rsyslog(name, port, pki) if pki else Rsyslog(
        A.work, name, f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")')
    rs.start(wait_tcp=port)
    ref = os.path.join(rs.dir, "ref.json")
    stats = os.path.join(rs.dir, "stats.json")
    scheme = "tls" if pki else "tcp"
    url = f"{scheme}://127.0.0.1:{port}?backoff_max=0.3" + tls_args + (f"&queue={queue}" if queue else "")
    p = subprocess.Popen([A.picket, "sample-findings", "-q", "--rounds", "40", "--interval", "0.15",
                          "--output", ref, "--stats-json", stats, "--syslog", url],
                         stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        # Kill between two rounds, once the receiver has written all it got:
        # syslog over TCP/TLS has no acknowledgements, so what a receiver had
        # read but not yet stored when it died is lost without the sender
        # knowing (see src/export/README.md); that is not what this tests.
        deadline = time.time() + 5
        caught_up = False
        while time.time() < deadline and not caught_up:
            n = len(open(ref).readlines())
            caught_up = n and n % n_types_cached() == 0 and len(rs.lines()) == n
            if not caught_up:
                time.sleep(0.01)
        check(caught_up, f"{name}: before the outage the receiver had stored all that was sent "
                         f"({len(rs.lines())} of {len(open(ref).readlines())})")
        rs.kill(signal.SIGKILL)  # mid-stream, the hard way
        time.sleep(1.0)
        rs.start(wait_tcp=port)
        _, err = p.communicate(timeout=60)
        sent = read_json_lines(ref)
        lines = rs.lines(expect=len(sent), timeout=5)
        ids = [parse_5424(l)["sd"]["finding@32473"]["id"] for l in lines]
        st = [s for s in json.load(open(stats))["delivery"]["sinks"] if s["name"].startswith("syslog")][0]
        sent_ids = {f["id"] for f in sent}
        check(set(ids) <= sent_ids and len(ids) == len(set(ids)), f"{name}: what arrived was sent, once each")
        lost = len(sent_ids) - len(set(ids))
        order = [f["id"] for f in sent]
        got = set(ids)
        print(f"  {name}: lost at positions {[i for i, x in enumerate(order) if x not in got][:20]} of {len(order)}")
        check(st["reconnects"] + st["retries"] > 0, f"{name}: the outage was seen (reconnects {st['reconnects']}, "
                                                     f"retries {st['retries']})")
        return lost, st, len(sent), err
    finally:
        if p.poll() is None:
            p.kill()
        rs.kill(signal.SIGTERM)


def case_outage():
    need("rsyslogd")
    lost, st, n, err = outage_run("outage-tcp", "")
    check(lost == st["dropped"] == 0, f"outage tcp: {n} sent, {lost} lost, {st['dropped']} dropped: buffered and resent")
    check("buffering" in err, "outage tcp: the outage is logged")
    # A queue too small for the outage: the loss equals the drop counter exactly.
    # It holds two rounds (sample-findings queues a round of one finding per
    # type at once), so nothing is dropped before the outage; the outage
    # (over a second at a round per 0.15 s) is several times longer.
    queue = 2 * n_types_cached()
    lost, st, n, _ = outage_run("outage-small", "", queue=queue)
    check(st["dropped"] > 0 and lost == st["dropped"],
          f"outage tcp queue={queue}: {lost} lost == {st['dropped']} dropped (of {n})")
    if shutil.which("openssl"):
        pki = os.path.join(A.work, "pki-outage")
        os.makedirs(pki, exist_ok=True)
        make_pki(pki)
        lost, st, n, _ = outage_run("outage-tls", f"&ca={pki}/ca.pem&cert={pki}/client.pem&key={pki}/client.key",
                                    pki=pki)
        check(lost == st["dropped"] == 0, f"outage tls: {n} sent, {lost} lost, {st['dropped']} dropped")


def case_rotation():
    d = os.path.join(A.work, "rotation")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    out = os.path.join(d, "f.json")
    r = picket(["sample-findings", "-q", "--rounds", "40", "--output", out + "?max_size=20K&keep=3"])
    files = sorted(os.listdir(d))
    check(r.returncode == 0 and files == ["f.json", "f.json.1", "f.json.2", "f.json.3"], f"rotation: files {files}")
    check(all(os.path.getsize(os.path.join(d, f)) <= 20 * 1024 for f in files), "rotation: no file above max_size")
    lines = sum(len(read_json_lines(os.path.join(d, f))) for f in files)
    check(0 < lines < 40 * n_types(), f"rotation: whole lines only, oldest dropped ({lines})")
    # SIGHUP: after logrotate moved the file, picket writes a new one.
    out = os.path.join(d, "h.json")
    p = subprocess.Popen([A.picket, "sample-findings", "-q", "--rounds", "40", "--interval", "0.05", "--output", out])
    time.sleep(0.8)
    os.rename(out, out + ".old")
    p.send_signal(signal.SIGHUP)
    p.wait(30)
    a, b = read_json_lines(out + ".old"), read_json_lines(out)
    check(p.returncode == 0 and len(a) > 0 and len(b) > 0 and len(a) + len(b) == 40 * n_types(),
          f"SIGHUP: reopened; {len(a)} findings before, {len(b)} after, none lost")


def case_replay():
    """The replay command's findings reach rsyslog; stats name the sinks."""
    need("rsyslogd")
    port = free_port()
    rs = Rsyslog(A.work, "replay", f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")')
    rs.start(wait_tcp=port)
    try:
        ref = os.path.join(rs.dir, "ref.json")
        stats = os.path.join(rs.dir, "stats.json")
        r = picket(["replay", "-q", "-w", "1", "--output", ref, "--stats-json", stats,
                    "--syslog", f"tcp://127.0.0.1:{port}", os.path.join(A.src, "tests/data/demo.pcap")])
        check(r.returncode == 0, f"replay: exit 0 ({r.stderr.strip()[:200]})")
        sent = [l.rstrip("\n") for l in open(ref)]
        lines = rs.lines(expect=len(sent))
        check(len(sent) > 0 and [parse_5424(l)["msg"] for l in lines] == sent,
              f"replay: {len(sent)} reports arrive in order, intact")
        st = json.load(open(stats))
        check("delivery" in st and len(st["delivery"]["sinks"]) == 2, "replay: --stats-json has delivery.sinks")
        acts = [json.loads(l)["service"]["additionalInfo"]["topActors"] for l in sent]
        check(all(len(a) >= 1 and a[0]["count"] >= 1 for a in acts), "replay: findings carry topActors")
    finally:
        rs.kill(signal.SIGTERM)


CASES = {"udp": case_udp, "tcp": case_tcp, "tls": case_tls, "unix": case_unix, "formats": case_formats,
         "suppression": case_suppression, "hooks": case_hooks, "webhook": case_webhook, "webhook_https": case_webhook_https,
         "shutdown": case_shutdown,
         "outage": case_outage, "rotation": case_rotation, "replay": case_replay}

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--picket", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    A = ap.parse_args()
    A.work = tempfile.mkdtemp(prefix=f"delivery-{A.case}-", dir=A.work)
    try:
        CASES[A.case]()
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        check(False, f"{A.case}: {e}")
    print(f"{passed} passed, {failed} failed")
    if failed == 0:
        shutil.rmtree(A.work, ignore_errors=True)
    sys.exit(0 if failed == 0 else 1)
