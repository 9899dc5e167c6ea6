"""DNS threat scenarios (tunnels, DGA, NXDOMAIN storms, rebinding, sinkholes)
and the benign look-alikes that must stay silent.  Names may hold raw bytes
(iodine's base128), so messages are encoded here from byte labels."""

import base64
import struct

from . import scenarios as sc
from .flows import udp_packet
from .packets import addr

MS = sc.MS
S = sc.S
TYPES = {'A': 1, 'CNAME': 5, 'NULL': 10, 'MX': 15, 'TXT': 16, 'AAAA': 28, 'SRV': 33, 'PRIVATE': 65399}
RESOLVER = '10.1.0.2'


def _labels(name):
    raw = name if isinstance(name, bytes) else name.encode('ascii')
    out = [l for l in raw.split(b'.') if l]
    assert all(0 < len(l) < 64 for l in out) and sum(len(l) + 1 for l in out) < 255, name
    return out


def _msg(qid, name, qtype, response=False, rcode=0, answers=()):
    """answers: (type name, ttl, rdata bytes) owned by the question name."""
    flags = (0x8180 | rcode) if response else 0x0100
    m = bytearray(struct.pack('!HHHHHH', qid, flags, 1, len(answers), 0, 0))
    for l in _labels(name):
        m.append(len(l))
        m += l
    m.append(0)
    m += struct.pack('!HH', TYPES[qtype], 1)
    for rtype, ttl, rdata in answers:
        m += struct.pack('!HHHIH', 0xC00C, TYPES[rtype], 1, ttl, len(rdata)) + rdata
    return bytes(m)


def txn(ctx, t, client, name, qtype='A', rcode=0, answers=(), server=RESOLVER):
    """One UDP query and its answer; returns when the answer arrives."""
    rng = ctx.rng
    sport = rng.randint(1024, 65535)
    qid = rng.getrandbits(16)
    ctx.tl.add(t, udp_packet(client, server, sport, 53, _msg(qid, name, qtype), rng.getrandbits(16)))
    t += rng.randint(1 * MS, 30 * MS)
    ctx.tl.add(t, udp_packet(server, client, 53, sport, _msg(qid, name, qtype, True, rcode, answers),
                             rng.getrandbits(16)))
    return t


def a_rr(ip, ttl=60):
    return ('A', ttl, addr(ip))


def _split(s, n=60):
    return '.'.join(s[i:i + n] for i in range(0, len(s), n))


# ---------------------------------------------------------------- tunnels
def build_tunnel(ctx, encoding='base32', client='10.1.0.40', zone='t.exfil-example.com',
                 nbytes=24000, chunk=30, t0=0, gap=150 * MS, qtype='A'):
    """A client sends nbytes of (random, i.e. compressed or encrypted) data,
    chunk bytes per query, encoded in the query name."""
    rng = ctx.rng
    t = t0
    seq = 0
    for off in range(0, nbytes, chunk):
        data = struct.pack('!H', seq & 0xffff) + rng.randbytes(chunk)
        seq += 1
        if encoding == 'base32':
            enc = base64.b32encode(data).decode().rstrip('=').lower()
        elif encoding == 'base64':
            enc = base64.b64encode(data).decode().rstrip('=').replace('+', '-').replace('/', '_')
        else:
            enc = data.hex()
        name = _split(enc) + '.' + zone
        answers = [('TXT', 0, bytes([8]) + rng.randbytes(4).hex().encode())] if qtype == 'TXT' else \
            [a_rr(f'198.51.100.{rng.randint(1, 254)}', 0)] if qtype == 'A' else []
        txn(ctx, t, client, name, qtype, answers=answers)
        t += gap + rng.randint(0, gap // 4)
    return t


def build_tunnel_slow(ctx):
    """About 2.5 KB per hour for 5 hours: 80 base32 queries of 32 bytes an
    hour, with the capture clock jumping between them."""
    build_tunnel(ctx, 'base32', client='10.1.0.41', zone='upd.slow-example.net',
                 nbytes=32 * 80 * 5, chunk=32, gap=45 * S)


def build_tunnel_slow_below(ctx):
    """A slow trickle that stays below the defaults: 300 bytes an hour for 5 hours."""
    build_tunnel(ctx, 'base32', client='10.1.0.42', zone='upd.slow-example.net',
                 nbytes=25 * 12 * 5, chunk=25, gap=300 * S)


def build_iodine(ctx, client='10.1.0.43', zone='pirate-example.net'):
    """iodine-like: version and login handshake, the codec check phrase, then
    NULL queries whose labels are base128 (raw high bytes) with a leading
    command character, as iodine sends them."""
    rng = ctx.rng
    t = 0
    z = zone.encode()
    for step in [b'vaaaakardli', b'laegpumiplhhpz12ynd1efljwlkjcgwy', b'yrbi02',
                 b'zi03aA-Aaahhh-Drink-mal-ein-J\xe4germeister-']:
        t = txn(ctx, t, client, step + b'.' + z, 'NULL', answers=[('NULL', 0, rng.randbytes(16))]) + 50 * MS
    alphabet = bytes(range(ord('a'), ord('z') + 1)) + bytes(range(ord('0'), ord('9') + 1)) + bytes(range(0xbc, 0xfd))
    for i in range(300):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(100, 180)))
        label = b'0' + b'%x' % (i % 16) + body
        name = b'.'.join(label[k:k + 63] for k in range(0, len(label), 63)) + b'.' + z
        t = txn(ctx, t, client, name, 'NULL', answers=[('NULL', 0, rng.randbytes(rng.randint(20, 200)))])
        t += rng.randint(20 * MS, 120 * MS)
        if i % 10 == 0:  # pings
            t = txn(ctx, t, client, b'r' + rng.randbytes(3).hex().encode() + b'.' + z, 'NULL') + 30 * MS


def build_dnscat2(ctx, client='10.1.0.44'):
    """dnscat2 direct mode: 'dnscat.' then hex of its packet header
    (2-byte id, type, 2-byte session) and data, in CNAME/TXT/MX queries."""
    rng = ctx.rng
    session = rng.getrandbits(16)
    t = 0
    for i in range(200):
        ptype = 0 if i == 0 else 1
        data = struct.pack('!HBH', rng.getrandbits(16), ptype, session) + rng.randbytes(rng.randint(10, 70))
        name = 'dnscat.' + _split(data.hex(), 60)
        qtype = rng.choice(['CNAME', 'TXT', 'MX'])
        t = txn(ctx, t, client, name, qtype) + rng.randint(100 * MS, 400 * MS)


# ---------------------------------------------------------------- DGA
CONS = 'bcdfghjklmnpqrstvwxz'
WORDS = ['lake', 'orange', 'summer', 'paper', 'river', 'stone', 'window', 'garden', 'silver', 'market',
         'yellow', 'winter', 'bridge', 'forest', 'candle', 'rocket', 'pillow', 'marble', 'thunder', 'copper',
         'velvet', 'harbor', 'meadow', 'crystal', 'shadow', 'blanket', 'rabbit', 'lantern', 'pepper', 'violin']


def dga_names(rng, style, n):
    out = []
    while len(out) < n:
        if style == 'random':
            s = ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(10, 18)))
        elif style == 'hex':
            s = ''.join(rng.choice('0123456789abcdef') for _ in range(rng.randint(16, 24)))
        elif style == 'dictionary':
            s = ''.join(rng.choice(WORDS) for _ in range(3))
        else:
            s = ''.join(rng.choice(CONS) if rng.random() < 0.8 else rng.choice('aeiou0123456789')
                        for _ in range(rng.randint(9, 15)))
        name = s + rng.choice(['.com', '.net', '.org', '.info', '.biz', '.ru'])
        if name not in out:
            out.append(name)
    return out


def build_dga(ctx, style='random', client='10.1.0.60', n=40):
    """Malware walking its generated candidate list: n look-ups in about a
    minute, all NXDOMAIN but the last, which resolves (the live C2)."""
    rng = ctx.rng
    t = 0
    names = dga_names(rng, style, n)
    for k, name in enumerate(names):
        if k == len(names) - 1:
            txn(ctx, t, client, name, answers=[a_rr('203.0.113.66', 300)])
        else:
            txn(ctx, t, client, name, rcode=3)
        t += rng.randint(200 * MS, 2500 * MS)


def build_nxstorm(ctx, client='10.1.0.61'):
    """A host enumerating 150 names of one domain in about two minutes (all NXDOMAIN)."""
    rng = ctx.rng
    t = 0
    for i in range(150):
        txn(ctx, t, client, f'{rng.choice(["dev", "test", "stage", "vpn", "mail", "db"])}{i}.corp-example.com', rcode=3)
        t += rng.randint(200 * MS, 1200 * MS)


def build_rebind(ctx):
    """Normal browsing, then a name that first resolves to a public address
    and, with TTL 0, next time to the metadata service."""
    sc.browse(ctx, '10.1.0.70', RESOLVER, 50 * MS, 8, extras=False)
    name = 'a.7f000001.rebind-example.net'
    txn(ctx, 20 * S, '10.1.0.71', name, answers=[a_rr('198.51.100.23', 0)])
    txn(ctx, 21 * S, '10.1.0.71', name, answers=[a_rr('169.254.169.254', 0)])


def build_sinkhole(ctx):
    """A look-up of a seized malware domain answered with a sinkhole address,
    next to ad-blocked names answered 0.0.0.0 (evidence only)."""
    txn(ctx, 0, '10.1.0.72', 'update.seized-example.com', answers=[a_rr('199.2.137.20', 300)])
    for i in range(20):
        txn(ctx, 100 * MS * (i + 2), '10.1.0.73', f'ads{i}.tracker-example.com', answers=[a_rr('0.0.0.0', 60)])


# ---------------------------------------------------------------- benign
def build_benign_cdn(ctx, client='10.1.0.80'):
    """A busy host over three hours: video, CDN and ad shard names (thousands
    of distinct short random-looking labels)."""
    rng = ctx.rng
    t = 0
    for i in range(3000):
        r = rng.random()
        if r < 0.4:
            name = f'r{rng.randint(1, 9)}---sn-' + ''.join(rng.choice(CONS + '0123456789') for _ in range(8)) + \
                '.googlevideo.com'
        elif r < 0.7:
            name = 'd' + ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(13)) + \
                '.cloudfront.net'
        elif r < 0.9:
            name = f'e{rng.randint(1000, 99999)}.dscx.akamaiedge.net'
        else:
            name = f'{rng.randbytes(16).hex()}.safeframe.googlesyndication.com'
        txn(ctx, t, client, name, answers=[a_rr(f'203.0.113.{rng.randint(1, 254)}', 20)])
        t += rng.randint(1 * S, 6 * S)


def build_benign_dnsbl(ctx, client='10.1.0.25'):
    """A mail server checking 1500 connecting addresses against DNS block
    lists: reversed addresses under the list zones, mostly NXDOMAIN (not
    listed), some 127.0.0.x (listed), plus anti-virus cloud hash look-ups."""
    rng = ctx.rng
    t = 0
    for i in range(1500):
        rev = '.'.join(str(rng.randint(1, 254)) for _ in range(4))
        for zone in ('zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org'):
            listed = rng.random() < 0.05
            txn(ctx, t, client, f'{rev}.{zone}', rcode=0 if listed else 3,
                answers=[a_rr('127.0.0.2', 300)] if listed else [])
        if i % 3 == 0:
            txn(ctx, t + 5 * MS, client, f'{rng.randbytes(16).hex()}.sophosxl.net',
                answers=[a_rr('127.0.0.1', 300)])
        t += rng.randint(200 * MS, 2 * S)


def build_benign_services(ctx):
    """Domain members looking up long service names (AD, SIP, XMPP, mail
    autodiscovery) all day: long but repetitive names."""
    rng = ctx.rng
    names = ['_ldap._tcp.default-first-site-name._sites.dc._msdcs.corp-example.com',
             '_kerberos._tcp.default-first-site-name._sites.dc._msdcs.corp-example.com',
             '_ldap._tcp.pdc._msdcs.corp-example.com', '_gc._tcp.default-first-site-name._sites.corp-example.com',
             '_sip._tls.corp-example.com', '_sipfederationtls._tcp.corp-example.com',
             '_xmpp-client._tcp.corp-example.com', '_autodiscover._tcp.corp-example.com',
             '_vlmcs._tcp.corp-example.com', '_kpasswd._udp.corp-example.com']
    t = 0
    for i in range(2000):
        client = f'10.1.1.{rng.randint(10, 60)}'
        txn(ctx, t, client, rng.choice(names), 'SRV')
        t += rng.randint(500 * MS, 5 * S)


def build_benign_office(ctx):
    """A busy office: twelve people browsing at once."""
    for k in range(12):
        sc.browse(ctx, f'10.1.2.{10 + k}', RESOLVER, 50 * MS + k * 700 * MS, 40, extras=k % 3 == 0)
