#!/usr/bin/env python3
"""Deterministic AWS VPC Flow Log generator (text, as delivered to S3).

    vpc.py OUT [--format v2|v5] [--gzip] [--scenario portscan_ssh]

Scenario `portscan_ssh` (the ground truth the e2e tests assert):
  * port scan: home host 10.1.0.5 probes TCP ports 1-100 of 10.1.0.20 in 50 s:
    one SYN each (1 packet, 44 bytes), answered by a RST/ACK (1 packet,
    40 bytes) -> Recon:EC2/Portscan, actor 10.1.0.5, 100 distinct ports;
  * SSH brute force: 198.51.100.23 opens 60 short SSH sessions to home host
    10.1.0.30:22, one every 10 s (failed logins: ~14 packets / 2.5 KB each
    way, closed) -> UnauthorizedAccess:EC2/SSHBruteForce, actor 198.51.100.23;
  * background: 10.1.0.7 fetches https from 203.0.113.10 every 30 s (no finding).
Each conversation is written as two records (one per direction), the way an
elastic network interface logs it, with an ACCEPT action; probes of closed
ports appear as a request and a RST. One 60-second capture window per record.
"""
import argparse
import gzip
import os
import sys

T0 = 1700000000  # 2023-11-14T22:13:20Z
ACCOUNT = "123456789012"
ENI = "eni-0gen0000000000001"

V2_FIELDS = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
V5_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
             "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr flow-direction traffic-path")

SYN, RST, ACK, FIN, PSH = 2, 4, 16, 1, 8


def conversations():
    """(start, end, src, dst, sport, dport, proto, fwd(p,b,flags), rev(p,b,flags) or None)"""
    out = []
    for i, port in enumerate(range(1, 101)):
        t = T0 + i // 2
        out.append((t, t, "10.1.0.5", "10.1.0.20", 40000 + i, port, 6, (1, 44, SYN), (1, 40, RST | ACK)))
    for i in range(60):
        t = T0 + 100 + 10 * i
        out.append((t, t + 4, "198.51.100.23", "10.1.0.30", 50000 + i, 22, 6,
                    (14, 2600, SYN | ACK | PSH | FIN), (12, 2900, SYN | ACK | PSH | FIN)))
    for i in range(25):
        t = T0 + 30 * i
        out.append((t, t + 2, "10.1.0.7", "203.0.113.10", 45000 + i, 443, 6,
                    (12, 1800, SYN | ACK | PSH | FIN), (14, 16000, SYN | ACK | PSH | FIN)))
    return sorted(out)


def lines(fmt):
    rows = []
    for start, end, src, dst, sport, dport, proto, fwd, rev in conversations():
        for direction, (s, d, sp, dp, (pk, by, fl)) in enumerate(
                [(src, dst, sport, dport, fwd)] + ([(dst, src, dport, sport, rev)] if rev else [])):
            if fmt == "v2":
                rows.append(f"2 {ACCOUNT} {ENI} {s} {d} {sp} {dp} {proto} {pk} {by} {start} {end} ACCEPT OK")
            else:
                ingress = "ingress" if d.startswith("10.1.") else "egress"
                rows.append(f"5 {ACCOUNT} {ENI} {s} {d} {sp} {dp} {proto} {pk} {by} {start} {end} ACCEPT OK "
                            f"vpc-0gen subnet-0gen i-0gen {fl} IPv4 {s} {d} {ingress} 1")
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--format", choices=["v2", "v5"], default="v2")
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--scenario", choices=["portscan_ssh"], default="portscan_ssh")
    a = ap.parse_args(argv)
    text = (V2_FIELDS if a.format == "v2" else V5_FIELDS) + "\n" + "\n".join(lines(a.format)) + "\n"
    data = gzip.compress(text.encode(), mtime=0) if a.gzip else text.encode()
    with open(a.out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
