"""Big scenarios, streamed in time order: flow_flood and bench_mix.

bench_mix runs a few thousand concurrent sessions as generators under a
heap scheduler keyed on each session's next packet time; packets are built
from per-session precomputed headers and cached payloads (with their
checksum contributions), so only the headers are packed per packet."""

import heapq
import random
import struct

from . import apps, dns
from .packets import (ACK, FIN, PSH, RST, SYN, addr, mac_for, syn_options)
from .pcap import BASE_US, LINKTYPE_ETHERNET, PcapWriter

_IP = struct.Struct('!BBHHHBBH4s4s')
_TCP = struct.Struct('!HHIIBBHHH')
_UDP = struct.Struct('!HHHH')
_ICMP = struct.Struct('!BBHHH')
_ZERO = bytes(64)
M32 = 0xFFFFFFFF
# fixed first bytes of the synthetic UDP application payloads, so that no
# tshark heuristic dissector (RTCP, CLTP, WireGuard, ...) claims them
APP_MAGIC = b'~gentraf'  # no heuristic (RTCP, CLTP, MPEG-TS, Thrift...) matches


def _sum(b):
    """Checksum contribution (mod 0xFFFF) of an even-aligned byte string."""
    if len(b) & 1:
        b += b'\0'
    return int.from_bytes(b, 'big') % 0xFFFF


class Payloads:
    """Cache of payload byte strings with their checksum contributions."""

    def __init__(self, rng):
        self.rand = rng.randbytes(1 << 16)
        self.tls = {}

    def tls_record(self, n):
        """An opaque TLS application_data record exactly n bytes long (n >= 6)."""
        p = self.tls.get(n)
        if p is None:
            b = struct.pack('!BHH', 23, 0x0303, n - 5) + self.rand[n:n + n - 5]
            p = self.tls[n] = (b, _sum(b))
        return p

    @staticmethod
    def of(b):
        return (b, _sum(b))


class Endpoints:
    """Precomputed per-direction header material of one conversation."""
    __slots__ = ('src', 'dst', 'eth', 'psum', 'ttl', 'ident')

    def __init__(self, src, dst, ttl, ident):
        self.src, self.dst = addr(src), addr(dst)
        self.eth = mac_for(self.dst) + mac_for(self.src) + b'\x08\x00'
        self.psum = int.from_bytes(self.src + self.dst, 'big')
        self.ttl = ttl
        self.ident = ident


def _ip_frame(ep, proto, l4):
    ep.ident = (ep.ident + 1) & 0xFFFF
    h = _IP.pack(0x45, 0, 20 + len(l4), ep.ident, 0x4000, ep.ttl, proto, 0, ep.src, ep.dst)
    ck = 0xFFFF - int.from_bytes(h, 'big') % 0xFFFF
    f = ep.eth + h[:10] + ck.to_bytes(2, 'big') + h[12:] + l4
    if len(f) < 60:
        f += _ZERO[:60 - len(f)]
    return f


def tcp_frame(ep, sport, dport, seq, ack, flags, win, payload=(b'', 0), opts=b''):
    pb, psum = payload
    hl = 20 + len(opts)
    seglen = hl + len(pb)
    h = _TCP.pack(sport, dport, seq & M32, ack & M32, hl << 2, flags, win, 0, 0) + opts
    ck = 0xFFFF - (int.from_bytes(h, 'big') + psum + ep.psum + 6 + seglen) % 0xFFFF
    return _ip_frame(ep, 6, h[:16] + ck.to_bytes(2, 'big') + h[18:] + pb)


def udp_frame(ep, sport, dport, payload):
    pb, psum = payload
    n = 8 + len(pb)
    ck = 0xFFFF - ((sport << 48 | dport << 32 | n << 16) + psum + ep.psum + 17 + n) % 0xFFFF
    return _ip_frame(ep, 17, _UDP.pack(sport, dport, n, ck) + pb)


def icmp_frame(ep, typ, ident, seq, payload):
    pb, psum = payload
    ck = 0xFFFF - ((typ << 56 | ident << 16 | seq) + psum) % 0xFFFF
    return _ip_frame(ep, 1, _ICMP.pack(typ, 0, ck, ident, seq) + pb)


# ------------------------------------------------------------- flow_flood
def write_flow_flood(path, seed, count):
    """count single-packet UDP flows from random local addresses to random
    remote addresses, both ports random in 38000-40999 (a range tshark has no
    dissector for, so random payloads decode as plain data).  Expected findings: none (no actor reaches a threshold)."""
    count = 200000 if count is None else count
    rng = random.Random(seed)
    pay = Payloads(rng)
    remotes = [f'203.0.113.{i}' for i in range(1, 255)] + [f'198.51.100.{i}' for i in range(1, 255)]
    w = PcapWriter(path, LINKTYPE_ETHERNET)
    t = BASE_US
    ri = rng.randint
    for _ in range(count):
        t += ri(1, 30)
        ep = Endpoints(f'10.1.{ri(0, 255)}.{ri(1, 254)}', rng.choice(remotes), 64, ri(0, 65535))
        off = ri(0, 60000)
        n = ri(16, 120)
        w.write(t, udp_frame(ep, ri(38000, 40999), ri(38000, 40999),
                             Payloads.of(APP_MAGIC + pay.rand[off:off + n])))
    w.close()
    return {'packets': w.count, 'complete_packets': w.count}


# ------------------------------------------------------------- bench_mix
class Bench:
    def __init__(self, rng):
        self.rng = rng
        self.pay = Payloads(rng)
        self.locals = [f'10.1.{a}.{b}' for a in range(1, 17) for b in range(1, 255)]
        self.local_servers = [f'10.1.0.{i}' for i in range(10, 40)]
        self.remotes = [f'203.0.113.{i}' for i in range(1, 255) if i != 200] + \
                       [f'198.51.100.{i}' for i in range(1, 250)]
        self.resolvers = ['10.1.0.2', '10.1.0.3']
        names = [f'{s}.{b}.{t}' for s in ('www', 'api', 'cdn', 'img', 'static')
                 for b in ('bluefern', 'quillstone', 'orbitcart', 'maplegrid', 'ironbark',
                           'kestrelmail', 'brightloom', 'pebblebay', 'lumennews', 'quartzhub')
                 for t in ('com', 'net')]
        self.hellos = []
        for n in names[:40]:
            ch = apps.client_hello(rng, n, tls13=rng.random() < 0.8)
            sh = apps.server_hello(rng, ch, tls13=True)
            self.hellos.append((ch, sh))
        self.http = []
        for n in names[40:70]:
            req = apps.http_get(n, rng.choice(['/', '/index.html', '/api/v2/items']),
                                rng.choice(apps.USER_AGENTS))
            self.http.append((Payloads.of(req),
                              apps.http_response(rng, rng.randint(200, 60000))))
        self.dns = []
        for i in range(400):
            name = rng.choice(names)
            qtype = rng.choice(['A', 'A', 'A', 'AAAA', 'AAAA', 'TXT', 'MX'])
            if qtype == 'A':
                ans = [(name, 'A', 300, rng.choice(self.remotes))]
            elif qtype == 'AAAA':
                ans = [(name, 'AAAA', 300, f'2001:db8::{rng.randint(1, 0xffff):x}')]
            elif qtype == 'TXT':
                ans = [(name, 'TXT', 300, 'v=spf1 -all')]
            else:
                ans = [(name, 'MX', 300, (10, 'mx.' + name))]
            rcode = 'NXDOMAIN' if rng.random() < 0.05 else 'NOERROR'
            self.dns.append((dns.query(0, name, qtype),
                             dns.response(0, name, qtype, ans if rcode == 'NOERROR' else [],
                                          rcode=rcode)))
        self.ping_payload = Payloads.of(bytes(range(8, 64)))
        self.ntp_req = Payloads.of(b'\x23' + bytes(39) + rng.randbytes(8))
        self.ntp_resp = Payloads.of(b'\x24\x02\x03\xe9' + rng.randbytes(44))

    # -- helpers
    def segments(self, data):
        """Cut bytes into MSS segments with checksum contributions."""
        return [Payloads.of(data[i:i + 1460]) for i in range(0, len(data), 1460)]

    def tcp_session(self):
        """Yields (frame, delay until this session's next packet)."""
        rng = self.rng
        ri = rng.randint
        if rng.random() < 0.07:
            cli, srv = rng.choice(self.remotes), rng.choice(self.local_servers)
            ttl = (50, 64)
            rtt = ri(8000, 90000)
        else:
            cli, srv = rng.choice(self.locals), rng.choice(self.remotes)
            ttl = (64, 52)
            rtt = ri(3000, 80000)
        https = rng.random() < 0.8
        sp, dp = ri(32768, 60999), 443 if https else 80
        c = Endpoints(cli, srv, ttl[0], ri(0, 65535))
        s = Endpoints(srv, cli, ttl[1], ri(0, 65535))
        cs, ss = rng.getrandbits(32), rng.getrandbits(32)
        near = lambda: ri(30, 300)  # noqa: E731
        yield tcp_frame(c, sp, dp, cs, 0, SYN, 64240, opts=syn_options()), rtt
        cs += 1
        yield tcp_frame(s, dp, sp, ss, cs, SYN | ACK, 65160, opts=syn_options()), near()
        ss += 1
        yield tcp_frame(c, sp, dp, cs, ss, ACK, 502), near()
        if https:
            ch, sh = rng.choice(self.hellos)
            creq = [self.segments(ch)]
            sresp = [self.segments(sh)]
            for _ in range(ri(1, 6)):
                creq.append([self.pay.tls_record(ri(40, 900))])
                segs = []
                for _ in range(int(rng.expovariate(1 / 8)) + 1):
                    segs.append(self.pay.tls_record(1460 if rng.random() < 0.7 else ri(40, 1460)))
                sresp.append(segs)
        else:
            req, resp = rng.choice(self.http)
            creq, sresp = [[req]], [self.segments(resp)]
        for up, down in zip(creq, sresp):
            for i, seg in enumerate(up):
                last = i == len(up) - 1
                yield tcp_frame(c, sp, dp, cs, ss, ACK | (PSH if last else 0), 502, seg), \
                    (rtt if last else ri(10, 80))
                cs += len(seg[0])
            yield tcp_frame(s, dp, sp, ss, cs, ACK, 509), ri(100, 5000)
            for i, seg in enumerate(down):
                last = i == len(down) - 1
                yield tcp_frame(s, dp, sp, ss, cs, ACK | (PSH if last else 0), 509, seg), \
                    (near() if (i & 1 or last) else ri(10, 150))
                ss += len(seg[0])
                if i & 1 or last:
                    yield tcp_frame(c, sp, dp, cs, ss, ACK, 502), ri(10, 150)
        # client closes
        yield tcp_frame(c, sp, dp, cs, ss, FIN | ACK, 502), rtt
        cs += 1
        yield tcp_frame(s, dp, sp, ss, cs, FIN | ACK, 509), near()
        ss += 1
        yield tcp_frame(c, sp, dp, cs, ss, ACK, 502), 0

    def dns_txn(self):
        rng = self.rng
        cli, srv = rng.choice(self.locals), rng.choice(self.resolvers)
        q, r = rng.choice(self.dns)
        qid = rng.getrandbits(16).to_bytes(2, 'big')
        sp = rng.randint(1024, 65535)
        c = Endpoints(cli, srv, 64, rng.randint(0, 65535))
        s = Endpoints(srv, cli, 64, rng.randint(0, 65535))
        yield udp_frame(c, sp, 53, Payloads.of(qid + q[2:])), rng.randint(300, 30000)
        yield udp_frame(s, 53, sp, Payloads.of(qid + r[2:])), 0

    def udp_session(self):
        rng = self.rng
        ri = rng.randint
        cli = rng.choice(self.locals)
        if rng.random() < 0.4:   # NTP
            srv = rng.choice(self.remotes)
            c, s = Endpoints(cli, srv, 64, ri(0, 65535)), Endpoints(srv, cli, 52, ri(0, 65535))
            sp = ri(32768, 60999)
            yield udp_frame(c, sp, 123, self.ntp_req), ri(5000, 60000)
            yield udp_frame(s, 123, sp, self.ntp_resp), 0
            return
        srv = rng.choice(self.remotes)
        c, s = Endpoints(cli, srv, 64, ri(0, 65535)), Endpoints(srv, cli, 52, ri(0, 65535))
        sp, dp = ri(38000, 40999), ri(38000, 40999)
        rand = self.pay.rand
        for _ in range(ri(1, 6)):
            o, n = ri(0, 60000), ri(20, 1200)
            yield udp_frame(c, sp, dp, Payloads.of(APP_MAGIC + rand[o:o + n])), ri(2000, 40000)
            o, n = ri(0, 60000), ri(20, 1200)
            yield udp_frame(s, dp, sp, Payloads.of(APP_MAGIC + rand[o:o + n])), ri(5000, 200000)

    def ping(self):
        rng = self.rng
        cli, srv = rng.choice(self.locals), rng.choice(self.remotes)
        c, s = Endpoints(cli, srv, 64, rng.randint(0, 65535)), Endpoints(srv, cli, 52, 0)
        ident = rng.randint(1, 65535)
        rtt = rng.randint(3000, 60000)
        for seq in range(1, rng.randint(3, 8)):
            yield icmp_frame(c, 8, ident, seq, self.ping_payload), rtt
            yield icmp_frame(s, 0, ident, seq, self.ping_payload), 1000000 - rtt

    # -- planted scans (fast, masscan-like pacing so they also fit in small
    # --count runs; each is scripted as timed events, then replayed)
    @staticmethod
    def replay(events):
        events.sort(key=lambda e: e[0])
        for (t, frame), nxt in zip(events, events[1:] + [(events[-1][0], None)]):
            yield frame, nxt[0] - t

    def scan(self, actor, target, nports, ttl):
        rng = self.rng
        ports = rng.sample(range(1, 10000), nports)
        c, s = Endpoints(actor, target, ttl[0], 0), Endpoints(target, actor, ttl[1], 0)
        sp = rng.randint(40000, 65000)
        events, t = [], 0
        for p in ports:
            seq = rng.getrandbits(32)
            events.append((t, tcp_frame(c, sp, p, seq, 0, SYN, 1024,
                                        opts=syn_options(style='nmap'))))
            events.append((t + rng.randint(1000, 20000),
                           tcp_frame(s, p, sp, 0, seq + 1, RST | ACK, 0)))
            t += rng.randint(200, 2000)
        return self.replay(events)

    def sweep(self, actor, targets, port):
        rng = self.rng
        events, t = [], 0
        for tgt in targets:
            c = Endpoints(actor, tgt, 128, rng.randint(0, 65535))
            events.append((t, tcp_frame(c, rng.randint(49152, 65535), port, rng.getrandbits(32),
                                        0, SYN, 64240, opts=syn_options())))
            t += rng.randint(200, 3000)
        return self.replay(events)

    def new_session(self):
        r = self.rng.random()
        # start weights chosen so that packet shares come out near
        # 70% TCP / 15% DNS / 10% other UDP / 5% ICMP (sessions differ in
        # length and duration)
        if r < 0.107:
            return self.tcp_session()
        if r < 0.107 + 0.669:
            return self.dns_txn()
        if r < 0.107 + 0.669 + 0.176:
            return self.udp_session()
        return self.ping()


def write_bench_mix(path, seed, count, concurrency=3000):
    count = 2000000 if count is None else count
    rng = random.Random(seed)
    b = Bench(rng)
    heap = []
    sid = 0
    for _ in range(concurrency):
        heap.append((rng.randint(0, 2000000), sid, b.new_session()))
        sid += 1
    heapq.heapify(heap)
    scans = {
        int(count * 0.05): lambda: b.scan('10.1.200.5', '203.0.113.200', 150, (64, 52)),
        int(count * 0.30): lambda: b.sweep('10.1.200.6', [f'198.51.100.{i}' for i in range(101, 161)], 445),
        int(count * 0.55): lambda: b.scan('198.51.100.250', '10.1.3.3', 60, (47, 64)),
    }
    w = PcapWriter(path, LINKTYPE_ETHERNET)
    write = w.write
    heappop, heappush, heapreplace = heapq.heappop, heapq.heappush, heapq.heapreplace
    ri = rng.randint
    n = 0
    while n < count:
        if n in scans:
            heappush(heap, (heap[0][0], sid, scans.pop(n)()))
            sid += 1
        t, i, gen = heap[0]
        try:
            frame, d = next(gen)
        except StopIteration:
            heapreplace(heap, (t + ri(0, 20000), sid, b.new_session()))
            sid += 1
            continue
        write(BASE_US + t, frame)
        n += 1
        heapreplace(heap, (t + d, i, gen))
    w.close()
    return {'packets': w.count, 'complete_packets': w.count}
