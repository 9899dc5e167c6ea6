"""Scenario builders.  Each builder fills ctx.tl (a Timeline of raw IP
packets) and ctx.man (facts the checker compares against tshark)."""

import random

from . import apps, dns
from .flows import CLIENT, SERVER, TcpFlow, udp_packet
from .packets import ACK, RST
from .pcap import Timeline

MS = 1000
S = 1_000_000


class Ctx:
    def __init__(self, seed, count=None):
        self.rng = random.Random(seed)
        self.tl = Timeline()
        self.count = count
        self.man = {'dns_queries': [], 'dns_responses': [], 'dns_rrs': []}
        self._ports = {}
        self.max_body = 24000   # upper bound of HTTP bodies / TLS records

    def eport(self, host):
        """Next ephemeral port of host (sequential from a random start, as
        many stacks allocate them)."""
        p = self._ports.get(host)
        if p is None:
            p = self.rng.randint(32768, 60000)
        p += self.rng.randint(1, 3)
        if p > 60999:
            p = 32768
        self._ports[host] = p
        return p


# ---------------------------------------------------------------- scans
COMMON_PORTS = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 179, 199, 389, 443,
                445, 465, 513, 514, 515, 548, 554, 587, 631, 636, 873, 990, 993, 995,
                1025, 1026, 1433, 1521, 1720, 1723, 1883, 2000, 2049, 2121, 2375, 3000,
                3128, 3306, 3389, 4443, 5000, 5060, 5432, 5601, 5900, 5985, 6000, 6379,
                6443, 7001, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9100, 9200,
                9418, 10000, 11211, 27017, 32768, 49152, 49153, 49154]


def pick_ports(rng, n, must=(22, 80, 443)):
    ports = list(must)[:n]
    pool = [p for p in COMMON_PORTS if p not in ports]
    rng.shuffle(pool)
    while len(ports) < n and pool:
        ports.append(pool.pop())
    while len(ports) < n:
        p = rng.randint(1, 65535)
        if p not in ports:
            ports.append(p)
    rng.shuffle(ports)
    return ports


def tcp_scan(ctx, actor, target, ports, t0, duration, open_ports=(), answer=True,
             n_retx=0, style='nmap', ttl=(64, 52)):
    """SYN scan of target's ports: one SYN per port from a single source port
    (as nmap does); closed ports answer RST/ACK, open ports SYN/ACK which the
    scanner resets.  n_retx closed ports lose their first SYN and get it
    retransmitted about one second later from the same source port."""
    rng = ctx.rng
    sport = rng.randint(40000, 65000)
    step = duration // len(ports)
    closed = [p for p in ports if p not in open_ports]
    retx = set(rng.sample(closed, min(n_retx, len(closed))))
    for i, port in enumerate(ports):
        t = t0 + i * step + rng.randint(0, step // 2)
        f = TcpFlow(ctx.tl, rng, actor, target, sport, port, syn_style=style,
                    ttl=ttl, win=(1024, 29200))
        rtt = rng.randint(2 * MS, 30 * MS)
        f.syn(t)
        if port in retx:
            t += rng.randint(950 * MS, 1050 * MS)
            f.syn(t, retransmit=True)
        if not answer:
            continue
        t += rtt
        if port in open_ports:
            f.synack(t)
            f.rst(t + rng.randint(60, 400), CLIENT)
        else:
            f.send(t, SERVER, RST | ACK, seq=0, window=0)
    ctx.man.setdefault('scans', []).append(
        {'actor': actor, 'targets': [target], 'ports': sorted(ports)})


def tcp_sweep(ctx, actor, targets, port, t0, duration, retx_after=None, style='win',
              ttl=(128, 52), fixed_sport=False):
    """SYN to one port on many hosts, no answers; optionally each SYN is
    retransmitted once retx_after microseconds later (same port, same seq)."""
    rng = ctx.rng
    step = duration // len(targets)
    sport = rng.randint(40000, 65000)
    for i, target in enumerate(targets):
        t = t0 + i * step + rng.randint(0, step // 2)
        sp = sport if fixed_sport else ctx.eport(actor)
        f = TcpFlow(ctx.tl, rng, actor, target, sp, port, syn_style=style, ttl=ttl,
                    win=(64240 if style == 'win' else 1024, 0))
        f.syn(t)
        if retx_after:
            f.syn(t + retx_after + rng.randint(0, 20 * MS), retransmit=True)
    ctx.man.setdefault('scans', []).append(
        {'actor': actor, 'targets': list(targets), 'ports': [port]})


def build_portscan(ctx, nports=100, actor='10.1.0.5', target='203.0.113.10', t0=0):
    ports = pick_ports(ctx.rng, nports)
    tcp_scan(ctx, actor, target, ports, t0 + 200 * MS, 3 * S,
             open_ports=(22, 80, 443), n_retx=max(1, nports // 12))


def build_portsweep(ctx, nhosts=40, actor='10.1.0.5', t0=0):
    targets = [f'198.51.100.{i}' for i in range(1, nhosts + 1)]
    tcp_sweep(ctx, actor, targets, 445, t0 + 100 * MS, 4 * S, retx_after=1 * S)


def build_inbound_portscan(ctx, nports=50, actor='198.51.100.77', target='10.1.0.20', t0=0):
    ports = pick_ports(ctx.rng, nports, must=(22, 3389))
    tcp_scan(ctx, actor, target, ports, t0 + 150 * MS, 2 * S, answer=True,
             n_retx=0, ttl=(47, 64))


def build_inbound_sweep(ctx, nhosts=30, actor='198.51.100.78', t0=0):
    targets = [f'10.1.0.{i}' for i in range(1, nhosts + 1)]
    tcp_sweep(ctx, actor, targets, 3389, t0 + 120 * MS, 3 * S, style='nmap',
              ttl=(113, 64), fixed_sport=True)


# ---------------------------------------------------------------- DNS
def _record_dns(ctx, qname, answers, authority, additional, edns):
    ctx.man['dns_responses'].append(qname)
    rrs = [[r[0], r[1]] for r in list(answers) + list(authority) + list(additional)]
    if edns:
        rrs.append(['<Root>', 'OPT'])
    ctx.man['dns_rrs'].extend(rrs)


def dns_udp(ctx, t, client, server, qname, qtype, answers=(), authority=(), additional=(),
            rcode='NOERROR', rtt=None, answered=True, tc=False, edns=False, retries=0):
    """One UDP DNS transaction; returns the time the answer arrives (or the
    last query if unanswered)."""
    rng = ctx.rng
    sport = rng.randint(1024, 65535)
    qid = rng.getrandbits(16)
    q = dns.query(qid, qname, qtype, edns=edns)
    ctx.tl.add(t, udp_packet(client, server, sport, 53, q, rng.getrandbits(16)))
    ctx.man['dns_queries'].append(qname)
    if not answered:
        for _ in range(retries):
            t += rng.randint(1000 * MS, 1100 * MS)
            ctx.tl.add(t, udp_packet(client, server, sport, 53, q, rng.getrandbits(16)))
            ctx.man['dns_queries'].append(qname)
        return t
    t += rtt if rtt is not None else rng.randint(300, 25 * MS)
    r = dns.response(qid, qname, qtype, answers, authority, additional, rcode, tc=tc,
                     edns=edns)
    ctx.tl.add(t, udp_packet(server, client, 53, sport, r, rng.getrandbits(16)))
    _record_dns(ctx, qname, answers, authority, additional, edns)
    return t


def dns_tcp(ctx, t, client, server, qname, qtype, answers=(), authority=(), additional=(),
            rcode='NOERROR', rtt=None, edns=False):
    """DNS over TCP (RFC 7766): handshake, length-prefixed query and answer,
    client closes."""
    rng = ctx.rng
    rtt = rtt if rtt is not None else rng.randint(300, 3 * MS)
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), 53, ttl=(64, 64))
    t = f.handshake(t, rtt)
    qid = rng.getrandbits(16)
    t = f.stream(t + rng.randint(20, 200), CLIENT,
                 dns.tcp_frame(dns.query(qid, qname, qtype, edns=edns)), rtt)
    ctx.man['dns_queries'].append(qname)
    r = dns.response(qid, qname, qtype, answers, authority, additional, rcode, edns=edns)
    t = f.stream(t + rng.randint(50, 500), SERVER, dns.tcp_frame(r), rtt)
    _record_dns(ctx, qname, answers, authority, additional, edns)
    return f.close(t + rng.randint(100, 900), CLIENT, rtt)


def soa_for(zone):
    return (zone, 'SOA', 900, (f'ns1.{zone}', f'hostmaster.{zone}', 2026011501,
                               7200, 3600, 1209600, 300))


# ---------------------------------------------------------------- web
BRANDS = ['bluefern', 'quillstone', 'northwindmedia', 'orbitcart', 'lumennews', 'pebblebay',
          'tidewaterlabs', 'copperkettle', 'maplegrid', 'silverfinch', 'harborlight',
          'cedarpoint-apps', 'brightloom', 'kestrelmail', 'foxglove-travel', 'ironbark',
          'marigold-recipes', 'sundial-weather', 'nimbus-docs', 'quartzhub']
SUBS = ['www', 'static', 'cdn', 'api', 'img', 'assets', 'fonts', 'login', 'news', 'shop',
        'media', 'js']
TLDS = ['com', 'net', 'org', 'io']


def make_names(rng, n):
    seen, out = set(), []
    while len(out) < n:
        name = f'{rng.choice(SUBS)}.{rng.choice(BRANDS)}.{rng.choice(TLDS)}'
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def server_ips(rng, n):
    pool = [f'203.0.113.{i}' for i in range(100, 251)] + \
           [f'198.51.100.{i}' for i in range(100, 251)]
    return rng.sample(pool, n)


def http_session(ctx, client, server, host, t, rtt):
    rng = ctx.rng
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), 80, ttl=(64, 52))
    t = f.handshake(t, rtt)
    path = rng.choice(['/', '/index.html', '/news/today', '/static/app.js', '/img/logo.png',
                       '/api/v1/status'])
    req = apps.http_get(host, path, rng.choice(apps.USER_AGENTS))
    t = f.exchange(t + rng.randint(20, 300), req,
                   apps.http_response(rng, rng.randint(300, ctx.max_body)), rtt)
    ctx.man.setdefault('http_hosts', []).append(host)
    return f.close(t + rng.randint(50, 2000), SERVER, rtt)


def tls_session(ctx, client, server, sni, t, rtt):
    rng = ctx.rng
    tls13 = rng.random() < 0.8
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), 443, ttl=(64, 52))
    t = f.handshake(t, rtt)
    ch = apps.client_hello(rng, sni, tls13=tls13)
    t = f.stream(t + rng.randint(100, 900), CLIENT, ch, rtt)
    t = f.stream(t + rng.randint(200, 2000), SERVER, apps.server_hello(rng, ch, tls13), rtt)
    if tls13:
        second = apps.record(20, b'\x01') + apps.app_data(rng, 53)
    else:
        cke = b'\x10\x00\x00\x21\x20' + rng.randbytes(32)
        second = apps.record(22, cke) + apps.record(20, b'\x01') + apps.record(22, rng.randbytes(40))
    second += apps.app_data(rng, rng.randint(200, 900))
    t = f.stream(t + rng.randint(100, 900), CLIENT, second, rtt)
    resp = b''.join(apps.app_data(rng, rng.randint(100, min(16000, ctx.max_body)))
                    for _ in range(rng.randint(1, 4)))
    if not tls13:
        resp = apps.record(20, b'\x01') + apps.record(22, rng.randbytes(40)) + resp
    t = f.stream(t + rng.randint(1 * MS, 20 * MS), SERVER, resp, rtt)
    ctx.man.setdefault('tls_sni', []).append(sni)
    return f.close(t + rng.randint(5 * MS, 400 * MS), CLIENT, rtt)


def browse(ctx, client, resolver, t0, n_servers, extras=True):
    """A user browsing: page visits resolve a few names (A queries to the
    local resolver) and open HTTP or TLS sessions to the answers."""
    rng = ctx.rng
    names = make_names(rng, n_servers)
    ips = server_ips(rng, n_servers + 4)
    t = t0
    i = 0
    visit = 0
    while i < len(names):
        group = list(range(i, min(len(names), i + rng.randint(3, 6))))
        i = group[-1] + 1
        for k in group:
            name, sip = names[k], ips[k]
            tq = t + rng.randint(100, 20 * MS)
            answers = [(name, 'A', rng.choice([60, 300, 3600]), sip)]
            if extras and k == 0:  # a CNAME chain into a CDN
                brand = name.split('.')[1]
                c1 = f'{brand}.global.fastedge.net'
                c2 = f'e{rng.randint(100, 999)}.pop-fra.fastedge.net'
                answers = [(name, 'CNAME', 300, c1), (c1, 'CNAME', 60, c2), (c2, 'A', 20, sip)]
            tr = dns_udp(ctx, tq, client, resolver, name, 'A', answers,
                         edns=rng.random() < 0.5)
            if extras and k == 1:  # browsers ask for AAAA too
                dns_udp(ctx, tq + rng.randint(50, 400), client, resolver, name, 'AAAA',
                        [(name, 'AAAA', 300, f'2001:db8:{k + 16:x}::{rng.randint(1, 0xffff):x}')])
            rtt = rng.randint(5 * MS, 60 * MS)
            start = tr + rng.randint(200, 3 * MS)
            if rng.random() < 0.6:
                tls_session(ctx, client, sip, name, start, rtt)
            else:
                http_session(ctx, client, sip, name, start, rtt)
        if extras and visit == 1:
            dom = names[group[0]].split('.', 1)[1]
            # mail lookups
            dns_udp(ctx, t + 30 * MS, client, resolver, dom, 'MX',
                    [(dom, 'MX', 3600, (10, f'mx1.{dom}')), (dom, 'MX', 3600, (20, f'mx2.{dom}'))],
                    additional=[(f'mx1.{dom}', 'A', 3600, ips[-1]),
                                (f'mx2.{dom}', 'A', 3600, ips[-2])])
            dns_udp(ctx, t + 45 * MS, client, resolver, f'_dmarc.{dom}', 'TXT',
                    [(f'_dmarc.{dom}', 'TXT', 3600, 'v=DMARC1; p=none; rua=mailto:dmarc@' + dom)])
        if extras and visit == 2:
            # reverse lookup of a server address
            sip = ips[group[0]]
            dns_udp(ctx, t + 10 * MS, client, resolver, dns.reverse_name(sip), 'PTR',
                    [(dns.reverse_name(sip), 'PTR', 3600, f'srv-{sip.replace(".", "-")}.hosting.example.net')])
            # a typo that does not exist
            bad = 'wwww.' + names[group[0]].split('.', 1)[1]
            dns_udp(ctx, t + 20 * MS, client, resolver, bad, 'A', rcode='NXDOMAIN',
                    authority=[soa_for(bad.split('.', 1)[1])])
        if extras and visit == 3:
            # a large TXT answer: truncated over UDP, retried over TCP
            dom = names[group[0]].split('.', 1)[1]
            txt = ['v=spf1 include:_spf.mailhost.example.net include:spf.%s ~all' % dom] + \
                  [f'site-verification={rng.randbytes(24).hex()}' for _ in range(10)]
            tr = dns_udp(ctx, t + 15 * MS, client, resolver, dom, 'TXT', tc=True)
            dns_tcp(ctx, tr + rng.randint(100, 500), client, resolver, dom, 'TXT',
                    [(dom, 'TXT', 300, [s]) for s in txt])
        t += rng.randint(600 * MS, 2500 * MS)
        visit += 1
    return t


def build_benign_web(ctx):
    browse(ctx, '10.1.0.7', '10.1.0.2', 50 * MS, 60)


# ---------------------------------------------------------------- dns_mix
SRV_NAMES = ['_ldap._tcp.dc._msdcs', '_kerberos._udp', '_sip._tls', '_xmpp-client._tcp',
             '_imaps._tcp', '_caldavs._tcp']


def build_dns_mix(ctx, n=300):
    rng = ctx.rng
    clients4 = [f'10.1.0.{i}' for i in range(10, 40)]
    clients6 = [f'fd00:1::{i:x}' for i in range(0x10, 0x20)]
    res4 = ['10.1.0.2', '10.1.0.3']
    res6 = ['fd00:1::2', 'fd00:1::3']
    types = ['A'] * 35 + ['AAAA'] * 20 + ['CNAME'] * 6 + ['TXT'] * 8 + ['MX'] * 7 + \
            ['NS'] * 6 + ['PTR'] * 10 + ['SRV'] * 8
    t = 20 * MS
    for _ in range(n):
        t += int(rng.expovariate(1 / (150 * MS))) + 1
        qtype = rng.choice(types)
        brand, tld = rng.choice(BRANDS), rng.choice(TLDS)
        zone = f'{brand}.{tld}'
        if qtype in ('MX', 'NS'):
            name = zone
        elif qtype == 'SRV':
            name = f'{rng.choice(SRV_NAMES)}.{zone}'
        elif qtype == 'PTR':
            r = rng.random()
            a = (f'203.0.113.{rng.randint(1, 254)}' if r < 0.4 else
                 f'10.1.{rng.randint(0, 3)}.{rng.randint(1, 254)}' if r < 0.8 else
                 f'2001:db8::{rng.randint(1, 0xffff):x}')
            name = dns.reverse_name(a)
            zone = name.split('.', 3)[3] if a[0] != '2' else 'ip6.arpa'
        else:
            name = f'{rng.choice(SUBS)}.{zone}'
        if rng.random() < 0.2:
            name = dns.mixcase(rng, name)
        r = rng.random()
        rcode = 'NXDOMAIN' if r < 0.08 else 'SERVFAIL' if r < 0.11 else 'NOERROR'
        unanswered = 0.11 <= r < 0.15
        tr = rng.random()
        transport = 'tcp' if tr < 0.06 else 'udp6' if tr < 0.21 else 'udp4'
        if transport == 'udp6':
            client, server = rng.choice(clients6), rng.choice(res6)
        else:
            client, server = rng.choice(clients4), rng.choice(res4)
        ans, auth, add = [], [], []
        ttl = rng.choice([30, 60, 300, 900, 3600, 86400])
        if rcode == 'NXDOMAIN':
            auth = [soa_for(zone)]
        elif rcode == 'NOERROR':
            if qtype == 'A':
                owner = name
                if rng.random() < 0.25:
                    target = f'{brand}.edge.fastedge.net'
                    ans.append((name, 'CNAME', ttl, target))
                    owner = target
                for _ in range(rng.randint(1, 3)):
                    ans.append((owner, 'A', ttl, f'203.0.113.{rng.randint(1, 254)}'))
            elif qtype == 'AAAA':
                for _ in range(rng.randint(1, 2)):
                    ans.append((name, 'AAAA', ttl, f'2001:db8:{rng.randint(0, 0xffff):x}::'
                                                    f'{rng.randint(1, 0xffff):x}'))
            elif qtype == 'CNAME':
                ans.append((name, 'CNAME', ttl, f'{brand}-{rng.randint(1, 9)}.hosting.example.net'))
            elif qtype == 'TXT':
                ans.append((name, 'TXT', ttl, rng.choice(
                    [f'v=spf1 mx include:_spf.{zone} -all', 'google-site-verification=' +
                     rng.randbytes(16).hex(), ['part one of a split record', 'part two']])))
            elif qtype == 'MX':
                for pref in range(rng.randint(1, 3)):
                    ans.append((name, 'MX', ttl, ((pref + 1) * 10, f'mx{pref + 1}.{zone}')))
            elif qtype == 'NS':
                for k in range(rng.randint(2, 4)):
                    ans.append((name, 'NS', ttl, f'ns{k + 1}.dnshost.example.org'))
                    add.append((f'ns{k + 1}.dnshost.example.org', 'A', ttl,
                                f'198.51.100.{k + 2}'))
            elif qtype == 'PTR':
                ans.append((name, 'PTR', ttl, f'host-{rng.randint(1, 9999)}.{brand}.{tld}'))
            elif qtype == 'SRV':
                for k in range(rng.randint(1, 2)):
                    tgt = f'srv{k + 1}.{zone}'
                    ans.append((name, 'SRV', ttl, (0, 100, rng.choice([389, 88, 5061, 5222, 993]),
                                                   tgt)))
                    add.append((tgt, 'A', ttl, f'10.1.0.{rng.randint(50, 99)}'))
        edns = rng.random() < 0.5
        if transport == 'tcp':
            dns_tcp(ctx, t, client, server, name, qtype, ans, auth, add, rcode, edns=edns)
        else:
            dns_udp(ctx, t, client, server, name, qtype, ans, auth, add, rcode,
                    answered=not unanswered, retries=1 if unanswered else 0, edns=edns)


# ---------------------------------------------------------------- demo
def build_demo(ctx):
    rng = ctx.rng
    ctx.max_body = 3000
    browse(ctx, '10.1.0.7', '10.1.0.2', 50 * MS, 18)
    browse(ctx, '10.1.0.8', '10.1.0.2', 4 * S, 10, extras=False)
    tcp_scan(ctx, '10.1.0.5', '203.0.113.10', pick_ports(rng, 40), 8 * S, 2 * S,
             open_ports=(22, 80, 443), n_retx=3)
    targets = [f'198.51.100.{i}' for i in range(1, 31)]
    tcp_sweep(ctx, '10.1.0.6', targets, 445, 14 * S, 3 * S, retx_after=1 * S)
    tcp_scan(ctx, '198.51.100.77', '10.1.0.20', pick_ports(rng, 30, must=(22, 3389)),
             20 * S, 2 * S, ttl=(47, 64))
