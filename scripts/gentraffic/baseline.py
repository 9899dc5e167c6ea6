"""Beaconing and per-host baseline scenarios (src/detect/beacon,
src/detect/baseline), each with the benign or below-threshold twin that must
stay silent.

Baseline scenarios span more than a day of capture time (the default
learning period is 24 h) with a few connections an hour, so they stay small.
Bulk uploads are written with a short snap length: each big segment keeps
its headers and 64 payload bytes, and its pcap record keeps the original
length, as a capture taken with `-s 128` would; the IP total length still
says how big the packet was, which is what the flow table counts."""

from . import apps
from .dnsthreats import a_rr, txn
from .encap import Ethernet
from .flows import CLIENT, SERVER, TcpFlow, udp_packet
from .pcap import BASE_US, PcapWriter
from . import scenarios as sc

MS = sc.MS
S = sc.S
H = 3600 * S
RESOLVER = '10.1.0.2'
# Web servers a host talks to every day; rotating among them, as CDN-backed
# sites do, keeps the day's traffic from being a beacon itself.
DAILY_SERVERS = [f'203.0.113.{i}' for i in range(1, 10)]


def tls_conn(ctx, client, server, port, sni, t, rtt=20 * MS, request=None, response=None):
    """A short TLS connection: handshake, ClientHello (with SNI), server
    flight, one request record and one response record, client close."""
    rng = ctx.rng
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), port, ttl=(64, 52))
    t = f.handshake(t, rtt)
    ch = apps.client_hello(rng, sni, tls13=True)
    t = f.stream(t + rng.randint(100, 900), CLIENT, ch, rtt)
    t = f.stream(t + rng.randint(200, 2000), SERVER, apps.server_hello(rng, ch, True), rtt)
    req = apps.record(20, b'\x01') + apps.app_data(rng, request if request is not None else rng.randint(200, 900))
    t = f.stream(t + rng.randint(100, 900), CLIENT, req, rtt)
    resp = apps.app_data(rng, response if response is not None else rng.randint(300, 1400))
    t = f.stream(t + rng.randint(1 * MS, 20 * MS), SERVER, resp, rtt)
    return f.close(t + rng.randint(5 * MS, 200 * MS), CLIENT, rtt)


def ordinary_day(ctx, client, t0=0, hours=26, port=443):
    """A host's ordinary life: about three look-ups and HTTPS connections an
    hour, to a rotating set of servers, at irregular times."""
    rng = ctx.rng
    for h in range(hours):
        for _ in range(3):
            t = t0 + h * H + rng.randint(0, H - 60 * S)
            server = rng.choice(DAILY_SERVERS)
            t = txn(ctx, t, client, f'www{server.rsplit(".", 1)[1]}.example.com', answers=[a_rr(server)],
                    server=RESOLVER)
            tls_conn(ctx, client, server, port, f'www{server.rsplit(".", 1)[1]}.example.com', t + 5 * MS)


# ---------------------------------------------------------------- beacons
def build_beacon(ctx, client='10.1.0.90', server='203.0.113.66', port=443, n=40, interval=60, jitter=0.10,
                 random_intervals=False):
    """An implant calling home: n TLS check-ins, interval seconds +- jitter
    (uniform), each a ~250-byte request and a ~600-byte answer (sizes vary by
    a few bytes). random_intervals: exponential gaps of the same mean instead."""
    rng = ctx.rng
    t = 5 * S
    for _ in range(n):
        tls_conn(ctx, client, server, port, 'cdn-update-example.net', t,
                 request=250 + rng.randint(-8, 8), response=600 + rng.randint(-20, 20))
        gap = rng.expovariate(1 / interval) if random_intervals else interval * (1 + rng.uniform(-jitter, jitter))
        t += int(gap * S)


def build_benign_periodic(ctx, client='10.1.0.91', hours=6):
    """Periodic by design, benign: ntpd polling three pool servers every 64 s,
    a look-up every 30 s at the configured resolver, and an hourly update
    check to a large provider whose CDN answers from a different address most
    times."""
    rng = ctx.rng
    pool = ['162.159.200.1', '162.159.200.123', '185.125.190.56']
    for i, srv in enumerate(pool):
        t = (1 + i) * S
        sport = 123
        while t < hours * H:
            req = bytes([0x23]) + bytes(47)
            ctx.tl.add(t, udp_packet(client, srv, sport, 123, req, rng.getrandbits(16)))
            ctx.tl.add(t + 15 * MS, udp_packet(srv, client, 123, sport, bytes([0x24]) + bytes(47), rng.getrandbits(16)))
            t += 64 * S
    t = 2 * S
    while t < hours * H:
        txn(ctx, t, client, 'api.weather-example.com', answers=[a_rr('203.0.113.40')], server=RESOLVER)
        t += 30 * S
    cdn = [f'23.32.0.{i}' for i in range(1, 12)]
    for h in range(hours):
        tls_conn(ctx, client, rng.choice(cdn), 443, 'update.vendor-example.com', h * H + 10 * S)


# ---------------------------------------------------------------- baselines
def build_new_port(ctx, client='10.1.0.92', at_hour=25.5):
    """A day of HTTPS, then an answered connection to an IRC port."""
    ordinary_day(ctx, client)
    t = int(at_hour * H)
    f = TcpFlow(ctx.tl, ctx.rng, client, '198.51.100.23', ctx.eport(client), 6667)
    t = f.handshake(t, 30 * MS)
    t = f.exchange(t, b'NICK bot1234\r\nUSER bot1234 0 * :bot\r\n', b':irc.example NOTICE * :hello\r\n', 30 * MS)
    f.close(t + 50 * MS, CLIENT, 30 * MS)


def build_unusual_resolver(ctx, client='10.1.0.94', known=False):
    """A day of look-ups at the local resolver, then queries sent straight to
    a remote resolver. known: the host also used it on the first day."""
    ordinary_day(ctx, client)
    if known:
        txn(ctx, 2 * H, client, 'www.example.org', answers=[a_rr('203.0.113.50')], server='45.33.97.5')
    for i in range(3):
        txn(ctx, int(25.5 * H) + i * S, client, f'c{i}.evasive-example.net', answers=[a_rr('198.51.100.99')],
            server='45.33.97.5')


def build_dot(ctx, client='10.1.0.95', at_hour=25.5):
    """A day of HTTPS, then DNS over TLS (TCP 853) to Quad9."""
    ordinary_day(ctx, client)
    tls_conn(ctx, client, '9.9.9.9', 853, 'dns.quad9.net', int(at_hour * H), request=120, response=200)


def build_doh(ctx, client='10.1.0.96', known=False):
    """A day of HTTPS, then DNS over HTTPS to dns.google. known: the host
    also did so on the first day."""
    ordinary_day(ctx, client)
    if known:
        tls_conn(ctx, client, '8.8.8.8', 443, 'dns.google', 3 * H, request=150, response=300)
    tls_conn(ctx, client, '8.8.8.8', 443, 'dns.google', int(25.5 * H), request=150, response=300)


def build_restart_day(ctx, day, client='10.1.0.97'):
    """Day 1 (learning) and day 2 (a new port) of one host as two captures:
    day 2 alone is a fresh host, still learning; after day 1 with
    --state-dir it is not."""
    if day == 1:
        ordinary_day(ctx, client, hours=25)
        return
    t0 = 26 * H
    ordinary_day(ctx, client, t0=t0, hours=2)
    f = TcpFlow(ctx.tl, ctx.rng, client, '198.51.100.24', ctx.eport(client), 5222)
    t = f.handshake(t0 + int(1.5 * H), 30 * MS)
    t = f.exchange(t, b"<?xml version='1.0'?><stream:stream to='chat.example'>", b'<stream:features/>', 30 * MS)
    f.close(t + 50 * MS, CLIENT, 30 * MS)


# ---------------------------------------------------------------- volume
class Snapped(bytes):
    """A packet written with a short snap length: `extra` bytes were on the
    wire after the ones kept."""
    extra = 0


def bulk_upload(ctx, client, server, port, t, nbytes, seg=64000):
    """An upload of nbytes as seg-byte segments (as a capture with TSO/GRO
    shows them), each written with only its first 64 payload bytes."""
    rng = ctx.rng
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), port, mss=seg)
    rtt = 20 * MS
    t = f.handshake(t, rtt)
    sent = 0
    chunk = bytes(seg)
    while sent < nbytes:
        n = min(seg, nbytes - sent)
        f.send(t, CLIENT, 0x10, chunk[:n])
        tt, idx, pkt = ctx.tl.events[-1]
        keep = len(pkt) - n + min(n, 64)
        snapped = Snapped(pkt[:keep])
        snapped.extra = len(pkt) - keep
        ctx.tl.events[-1] = (tt, idx, snapped)
        sent += n
        t += 2 * MS
        if (sent // seg) % 2 == 0 or sent >= nbytes:
            f.send(t + rtt, SERVER, 0x10)
    return f.close(t + rtt + 5 * MS, CLIENT, rtt)


def build_volume(ctx, client='10.1.0.93', spike=200_000_000, hours=30):
    """About 1 MB an hour uploaded (to rotating servers) for hours, then
    `spike` bytes in one hour to one host."""
    rng = ctx.rng
    for h in range(hours):
        bulk_upload(ctx, client, rng.choice(DAILY_SERVERS), 443, h * H + rng.randint(60, 3000) * S,
                    1_000_000 + rng.randint(-100_000, 100_000))
    bulk_upload(ctx, client, '198.51.100.77', 443, hours * H + 600 * S, spike)


def write_snapped(build):
    """A 'writer' scenario from a timeline builder whose packets may be Snapped."""
    def write(out, seed, count):
        ctx = sc.Ctx(seed, count)
        build(ctx)
        framer = Ethernet()
        w = PcapWriter(out, framer.linktype)
        for t, pkt in ctx.tl.sorted():
            frame = framer(t, pkt)
            w.write(BASE_US + t, frame, len(frame) + getattr(pkt, 'extra', 0))
        w.close()
        return {'packets': w.count}
    return write
