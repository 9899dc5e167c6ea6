"""Threat-list scenario: traffic that hits the test lists in tests/data/intel/
(documentation addresses and .example names only, so that without those lists
nothing fires).  INTEL_EXPECT is what `picket replay` must report with the
lists given as in tests/e2e/e2e_intel.py."""

from . import apps
from . import dnsthreats as dt
from . import scenarios as sc
from .flows import CLIENT, TcpFlow

MS = sc.MS
S = sc.S

# (finding type, local host) with tests/data/intel/{c2,mining,phishing,tor,scanner,custom}.txt
# loaded and tests/data/intel/trusted.txt trusted.
INTEL_EXPECT = [
    ('Backdoor:EC2/C&CActivity.B!DNS', '10.1.0.80'),      # query of a c2 domain
    ('Backdoor:EC2/C&CActivity.B', '10.1.0.80'),          # connection to the address it resolved to
    ('CryptoCurrency:EC2/BitcoinTool.B', '10.1.0.81'),     # connection to a listed pool address
    ('Trojan:EC2/PhishingDomainRequest!DNS', '10.1.0.82'),  # TLS SNI of a phishing domain
    ('UnauthorizedAccess:EC2/TorClient', '10.1.0.83'),     # outbound to a relay
    ('UnauthorizedAccess:EC2/TorIPCaller', '10.1.0.84'),   # inbound from a relay
    ('Recon:EC2/PortProbeUnprotectedPort', '10.1.0.85'),   # listed scanner, port 22 answered
    ('Impact:EC2/MaliciousDomainRequest.Custom', '10.1.0.86'),
    ('Trojan:EC2/DGADomainRequest.C!DNS', '10.1.0.88'),    # the dga canary name
    ('Backdoor:EC2/C&CActivity.B!DNS', '10.1.0.89'),      # plain-HTTP GET of a c2-listed URL (query added)
]
# 10.1.0.87 asks for a c2-listed name that is also trusted: nothing.
TRUSTED_HOST = '10.1.0.87'
# The c2 list's URL entry, http://files.url-test.example/drop/gate.php (its host
# is on no list): 10.1.0.89 fetches it, 10.1.0.90 fetches another path of the
# same host, 10.1.0.91 fetches it with a query so long that picket cuts the
# request target (a cut target matches nothing); both must stay silent.
URL_HOST = 'files.url-test.example'
URL_PATH = '/drop/gate.php'
URL_SERVER = '203.0.113.140'
URL_SILENT_HOST = '10.1.0.90'
URL_CUT_HOST = '10.1.0.91'


def _connect(ctx, client, server, port, t, payload=b'hello'):
    rng = ctx.rng
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), port, ttl=(64, 52))
    rtt = rng.randint(5 * MS, 40 * MS)
    t = f.handshake(t, rtt)
    t = f.exchange(t + 10 * MS, payload, b'x' * rng.randint(50, 400), rtt)
    return f.close(t + 50 * MS, CLIENT, rtt)


def _http_get(ctx, client, server, host, target, t):
    rng = ctx.rng
    f = TcpFlow(ctx.tl, rng, client, server, ctx.eport(client), 80, ttl=(64, 52))
    rtt = rng.randint(5 * MS, 40 * MS)
    t = f.handshake(t, rtt)
    req = apps.http_get(host, target, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)')
    t = f.exchange(t + 10 * MS, req, apps.http_response(rng, rng.randint(200, 800)), rtt)
    return f.close(t + 50 * MS, CLIENT, rtt)


def build_intel_lists(ctx):
    t = 1 * S
    # c2: the name is listed, its address is not; the connection is named by the answer.
    t = dt.txn(ctx, t, '10.1.0.80', 'api.c2-test.example', answers=[dt.a_rr('198.51.100.23')])
    t = _connect(ctx, '10.1.0.80', '198.51.100.23', 443, t + 200 * MS)
    # mining: a listed pool address, stratum-like payload.
    t = _connect(ctx, '10.1.0.81', '203.0.113.90', 3333, t + 1 * S,
                 b'{"id":1,"method":"login","params":{}}\n')
    # phishing: a TLS session whose SNI is a listed domain (no DNS seen).
    t = sc.tls_session(ctx, '10.1.0.82', '203.0.113.120', 'secure.login.phish-test.example', t + 1 * S, 20 * MS)
    # tor: out to a relay, and a relay calling in.
    t = _connect(ctx, '10.1.0.83', '192.0.2.10', 9001, t + 1 * S)
    t = _connect(ctx, '192.0.2.11', '10.1.0.84', 443, t + 1 * S)
    # scanner: a listed scanner probes two ports; 22 answers, 23 is closed.
    sc.tcp_scan(ctx, '198.51.100.200', '10.1.0.85', [22, 23], t + 1 * S, 200 * MS, open_ports=(22,))
    t += 2 * S
    # custom domain list.
    t = dt.txn(ctx, t, '10.1.0.86', 'www.bad.custom-test.example', rcode=3)
    # trusted: listed as c2 and trusted at once.
    t = dt.txn(ctx, t + 1 * S, TRUSTED_HOST, 'x.trusted.c2-test.example', rcode=3)
    # the dga canary of the test list.
    t = dt.txn(ctx, t + 1 * S, '10.1.0.88', 'dga.canary.picket.invalid', rcode=3)
    # URL entries: the listed path (with a query the entry does not name), then
    # another path on the same host from another home host.
    t = _http_get(ctx, '10.1.0.89', URL_SERVER, URL_HOST, URL_PATH + '?id=42', t + 1 * S)
    t = _http_get(ctx, URL_SILENT_HOST, URL_SERVER, URL_HOST, '/drop/other.php', t + 1 * S)
    t = _http_get(ctx, URL_CUT_HOST, URL_SERVER, URL_HOST, URL_PATH + '?data=' + 'A' * 300, t + 1 * S)
    ctx.man['intel_expect'] = [list(x) for x in INTEL_EXPECT]


# Every bundled canary (rules/intel/canary-<category>.txt) and the finding its
# look-up must raise with the bundled lists alone, written from issue 3's
# category -> type table (not from picket's output). The names have no !DNS
# form for tor and scanner, so their canaries raise the connection types.
# tests/e2e/e2e_intel.py (case canaries) checks that this table names every
# canary file in rules/intel.
CANARY_EXPECT = {
    'c2': 'Backdoor:EC2/C&CActivity.B!DNS',
    'mining': 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    'blackhole': 'Trojan:EC2/BlackholeTraffic!DNS',
    'sinkhole': 'Trojan:EC2/BlackholeTraffic!DNS',
    'droppoint': 'Trojan:EC2/DropPoint!DNS',
    'phishing': 'Trojan:EC2/PhishingDomainRequest!DNS',
    'driveby': 'Trojan:EC2/DriveBySourceTraffic!DNS',
    'dga': 'Trojan:EC2/DGADomainRequest.C!DNS',
    'tor': 'UnauthorizedAccess:EC2/TorClient',
    'scanner': 'Recon:EC2/PortProbeUnprotectedPort',
    'custom': 'Impact:EC2/MaliciousDomainRequest.Custom',
}


def canary_host(i):
    return f'10.1.2.{10 + i}'


def canary_expect():
    return [(t, canary_host(i)) for i, (_, t) in enumerate(sorted(CANARY_EXPECT.items()))]


def build_canaries(ctx):
    """One home host per category looks its canary name up (NXDOMAIN, as a
    resolver answers a name under .invalid), a second apart."""
    t = 1 * S
    for i, (category, _) in enumerate(sorted(CANARY_EXPECT.items())):
        t = dt.txn(ctx, t, canary_host(i), f'{category}.canary.picket.invalid', rcode=3) + 1 * S
