"""Behaviour scenarios (src/detect/{bruteforce,mining,dos,spam,longconn,exfil}):
brute force on SSH (also on port 2222), RDP and WinRM; each mining protocol
(also a pool on an unusual port); outbound DoS of each type; a spam bot and
an established mail sender; a long connection; a large upload.  Each has a
twin just below its detector's default threshold.

Home network: 10.0.0.0/8 (gen-traffic's "local" addresses).  Thresholds the
twins sit under are the detector defaults (see each detector's README)."""

import random
import struct

from .bulk import Endpoints, Payloads, _ip_frame, tcp_frame, udp_frame
from .flows import CLIENT, SERVER, TcpFlow
from .packets import ACK, PSH
from .pcap import BASE_US, LINKTYPE_ETHERNET, PcapWriter

MS = 1000
S = 1_000_000


def _session(ctx, t, client, server, sport, exchanges, rtt=20 * MS):
    """One TCP connection: handshake, the (side, bytes) exchanges in order, FIN close."""
    f = TcpFlow(ctx.tl, ctx.rng, client, server, ctx.eport(client), sport)
    t = f.handshake(t, rtt)
    for side, data in exchanges:
        t = f.stream(t + ctx.rng.randint(2 * MS, 40 * MS), side, data, rtt)
    return f.close(t + 50 * MS, CLIENT, rtt)


# ----------------------------------------------------------- brute force
def _ssh_attempt(rng):
    return [(SERVER, b'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n'),
            (CLIENT, b'SSH-2.0-libssh_0.9.6\r\n'),
            (CLIENT, rng.randbytes(1200)), (SERVER, rng.randbytes(1100)),
            (CLIENT, rng.randbytes(300)), (SERVER, rng.randbytes(600)),
            (CLIENT, rng.randbytes(200)), (SERVER, rng.randbytes(100))]


def _rdp_attempt(rng):
    cookie = b'Cookie: mstshash=administrator\r\n'
    cr_len = 11 + len(cookie) + 8
    cr = bytes([3, 0, cr_len >> 8, cr_len & 0xFF, cr_len - 5, 0xE0, 0, 0, 0, 0, 0]) + cookie + \
        bytes([1, 0, 8, 0, 3, 0, 0, 0])
    cc = bytes([3, 0, 0, 19, 14, 0xD0, 0, 0, 0x12, 0x34, 0]) + bytes([2, 0, 8, 0, 2, 0, 0, 0])
    return [(CLIENT, cr), (SERVER, cc), (CLIENT, rng.randbytes(517)), (SERVER, rng.randbytes(2800)),
            (CLIENT, rng.randbytes(600)), (SERVER, rng.randbytes(300)), (CLIENT, rng.randbytes(900))]


def _winrm_attempt(rng):
    req = (b'POST /wsman HTTP/1.1\r\nConnection: Keep-Alive\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n'
           b'User-Agent: Microsoft WinRM Client\r\nContent-Length: 0\r\nHost: 10.1.0.23:5985\r\n'
           b'Authorization: Negotiate TlRMTVNTUAABAAAAt4II4gAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==\r\n\r\n')
    resp = b'HTTP/1.1 401 \r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n'
    return [(CLIENT, req), (SERVER, resp)]


def build_bruteforce(ctx, proto='ssh', attacker='198.51.100.23', target='10.1.0.20', port=22, n=30,
                     gap=4 * S):
    """n authentication attempts, one connection each, gap apart."""
    attempt = {'ssh': _ssh_attempt, 'rdp': _rdp_attempt, 'winrm': _winrm_attempt}[proto]
    t = 1 * S
    for _ in range(n):
        _session(ctx, t, attacker, target, port, attempt(ctx.rng))
        t += gap + ctx.rng.randint(0, 500 * MS)


# ---------------------------------------------------------------- mining
def _stratum_v1(rng):
    return [(CLIENT, b'{"id": 1, "method": "mining.subscribe", "params": ["cgminer/4.10.0"]}\n'),
            (SERVER, b'{"id": 1, "result": [[["mining.set_difficulty", "1"], ["mining.notify", "ae6812eb"]],'
                     b' "08000002", 4], "error": null}\n'),
            (CLIENT, b'{"params": ["worker1.rig", "x"], "id": 2, "method": "mining.authorize"}\n'),
            (SERVER, b'{"id": 2, "result": true, "error": null}\n{"id": null, "method": "mining.notify", '
                     b'"params": ["bf", "4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000"]}\n')]


def _stratum_v2(rng):
    host = b'pool.example.net'
    vendor = b'bitmain'
    payload = bytes([0]) + struct.pack('<HHI', 2, 2, 1) + bytes([len(host)]) + host + struct.pack('<H', 3336) + \
        bytes([len(vendor)]) + vendor + bytes([2]) + b'S9' + bytes([3]) + b'1.0' + bytes([4]) + b'dev1'
    setup = struct.pack('<HB', 0, 0) + len(payload).to_bytes(3, 'little') + payload
    success = struct.pack('<HB', 0, 1) + (6).to_bytes(3, 'little') + struct.pack('<HI', 2, 0)
    return [(CLIENT, setup), (SERVER, success), (CLIENT, rng.randbytes(80)), (SERVER, rng.randbytes(120))]


def _xmrig(rng):
    return [(CLIENT, b'{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33'
                     b'DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A","pass":"x","agent":"XMRig/6.21.0 '
                     b'(Linux x86_64) libuv/1.44.2 gcc/12.2.0","algo":["rx/0","cn/r"]}}\n'),
            (SERVER, b'{"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"5f3b","job":{"blob":"0e0e9a8d","job_id":'
                     b'"7","target":"b88d0600","algo":"rx/0"},"status":"OK"}}\n'),
            (CLIENT, b'{"id":2,"jsonrpc":"2.0","method":"submit","params":{"id":"5f3b","job_id":"7","nonce":'
                     b'"a2010000","result":"00ab"}}\n'),
            (SERVER, b'{"id":2,"jsonrpc":"2.0","error":null,"result":{"status":"OK"}}\n')]


def _getwork(rng):
    body = b'{"method": "getwork", "params": [], "id": 0}'
    req = (b'POST / HTTP/1.1\r\nHost: 203.0.113.63:8332\r\nAuthorization: Basic dXNlcjpwYXNz\r\n'
           b'Content-Type: application/json\r\nContent-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)
    return [(CLIENT, req), (SERVER, b'HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n{"result":{"data":"00"},"id":0}')]


def _eth(rng):
    return [(CLIENT, b'{"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","params":["0x8c7cb1b0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6","x"],"worker":"rig1"}\n'),
            (SERVER, b'{"id":1,"jsonrpc":"2.0","result":true}\n'),
            (CLIENT, b'{"id":2,"jsonrpc":"2.0","method":"eth_getWork","params":[]}\n'),
            (SERVER, b'{"id":2,"jsonrpc":"2.0","result":["0xabc","0xdef","0x0000"]}\n')]


def _benign_jsonrpc(rng):
    """JSON-RPC that is not mining: an Ethereum node query and a language server."""
    return [(CLIENT, b'{"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1}\n'),
            (SERVER, b'{"jsonrpc":"2.0","id":1,"result":"0x12a05f2"}\n'),
            (CLIENT, b'{"jsonrpc":"2.0","method":"login","params":{"user":"alice","password":"x"},"id":2}\n'),
            (SERVER, b'{"jsonrpc":"2.0","id":2,"result":{"token":"abc"}}\n')]


MINING = {'stratum': _stratum_v1, 'stratum_v2': _stratum_v2, 'xmrig': _xmrig, 'getwork': _getwork, 'eth': _eth,
          'benign': _benign_jsonrpc}


def build_mining(ctx, proto='stratum', miner='10.1.0.30', pool='203.0.113.60', port=3333, n=3):
    """n connections of a miner to a pool (reconnects a few minutes apart)."""
    t = 1 * S
    for _ in range(n):
        _session(ctx, t, miner, pool, port, MINING[proto](ctx.rng))
        t += 180 * S


# ------------------------------------------------------------------ spam
def _deliver(ctx, t, host, mx):
    """One mail from host straight to the MX host mx (SMTP on 25, EHLO first)."""
    rng = ctx.rng
    ex = [(SERVER, b'220 mx.example.org ESMTP Postfix\r\n'), (CLIENT, b'EHLO mail.example.com\r\n'),
          (SERVER, b'250-mx.example.org\r\n250 8BITMIME\r\n'),
          (CLIENT, b'MAIL FROM:<offers@example.com>\r\n'), (SERVER, b'250 2.1.0 Ok\r\n'),
          (CLIENT, b'RCPT TO:<user@example.org>\r\n'), (SERVER, b'250 2.1.5 Ok\r\n'),
          (CLIENT, b'DATA\r\n'), (SERVER, b'354 End data with <CR><LF>.<CR><LF>\r\n'),
          (CLIENT, rng.randbytes(1500).hex().encode()[:2000] + b'\r\n.\r\n'), (SERVER, b'250 2.0.0 Ok\r\n'),
          (CLIENT, b'QUIT\r\n'), (SERVER, b'221 2.0.0 Bye\r\n')]
    _session(ctx, t, host, mx, 25, ex)


def build_spam(ctx, host='10.1.0.40', servers=30, history=False):
    """host delivers mail directly to `servers` distinct MX hosts, 15 s apart.
    With history, it first sent mail to 3 servers 25 hours earlier."""
    t = 1 * S
    if history:
        for i in range(3):
            _deliver(ctx, t, host, f'198.18.1.{i + 1}')
            t += 20 * S
        t += 25 * 3600 * S
    for i in range(servers):
        _deliver(ctx, t, host, f'198.18.{10 + i // 200}.{1 + i % 200}')
        t += 15 * S


def build_spam_restart(ctx, day, host='10.1.0.41'):
    """The history and the burst of behave_spambot_established as two
    captures: day 1, mail to 3 servers; day 2 (26 h on), mail to 30. Day 2
    alone is a host new to SMTP; after day 1 with --state-dir it is not."""
    if day == 1:
        for i in range(3):
            _deliver(ctx, 1 * S + i * 20 * S, host, f'198.18.1.{i + 1}')
        return
    for i in range(30):
        _deliver(ctx, 26 * 3600 * S + i * 15 * S, host, f'198.18.10.{1 + i}')


# -------------------------------------------------------- long connection
def build_long_connection(ctx, local='10.1.0.50', remote='203.0.113.70', port=22, minutes=70):
    """An SSH session kept open `minutes` with a keep-alive exchange every 60 s."""
    f = TcpFlow(ctx.tl, ctx.rng, local, remote, ctx.eport(local), port)
    t = f.handshake(1 * S, 30 * MS)
    t = f.stream(t + 5 * MS, SERVER, b'SSH-2.0-OpenSSH_9.6\r\n', 30 * MS)
    t = f.stream(t + 5 * MS, CLIENT, b'SSH-2.0-OpenSSH_9.6\r\n', 30 * MS)
    end = 1 * S + minutes * 60 * S
    while t + 60 * S < end:
        t += 60 * S
        f.send(t, CLIENT, ACK | PSH, ctx.rng.randbytes(36))
        f.send(t + 30 * MS, SERVER, ACK | PSH, ctx.rng.randbytes(36))
        f.send(t + 31 * MS, CLIENT, ACK)
    f.close(end, CLIENT, 30 * MS)


# ------------------------------------------------- writers: DoS and upload
def _writer(path, events):
    """events: iterable of (t_us, frame[, orig_len]) in time order."""
    w = PcapWriter(path, LINKTYPE_ETHERNET)
    for ev in events:
        w.write(BASE_US + ev[0], ev[1], ev[2] if len(ev) > 2 else None)
    w.close()
    return {'packets': w.count, 'complete_packets': w.count}


def write_dos(path, seed, count, kind='udp', pps=1200, seconds=12, local='10.1.0.66', victim='203.0.113.99'):
    """An outbound flood of `pps` packets a second for `seconds`, no answers.
    kind: tcp (SYN flood from random source ports), udp (port 9999), dns
    (UDP 53), udp_tcpports (UDP 80), unusual (IP protocol 253)."""
    rng = random.Random(seed)
    ep = Endpoints(local, victim, 64, rng.randint(0, 65535))
    pay = Payloads.of(rng.randbytes(32))
    n = pps * seconds
    step = S / pps

    def events():
        for i in range(n):
            t = 1 * S + int(i * step)
            if kind == 'tcp':
                yield t, tcp_frame(ep, rng.randint(1024, 65535), 80, rng.getrandbits(32), 0, 0x02, 1024)
            elif kind == 'unusual':
                yield t, _ip_frame(ep, 253, pay[0])
            else:
                port = {'udp': 9999, 'dns': 53, 'udp_tcpports': 80}[kind]
                yield t, udp_frame(ep, 41000 + (i % 8), port, pay)
    return _writer(path, events())


def write_upload(path, seed, count, megabytes=110, local='10.1.0.60', remote='203.0.113.80'):
    """A TLS upload of `megabytes` MB (10^6) to one host in ~60 s, ACKed every
    second segment. Captured with a 64-byte snap length (headers only), as a
    sensor with a short snaplen would: the IP header still says 1500 bytes."""
    rng = random.Random(seed)
    up = Endpoints(local, remote, 64, rng.randint(0, 65535))
    down = Endpoints(remote, local, 52, rng.randint(0, 65535))
    seg = Payloads.of(rng.randbytes(1448))
    total = megabytes * 1_000_000
    nseg = total // (20 + 20 + 1448) + 1  # IP length of each data segment: 1488
    cport, sport = 51514, 443
    cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
    opts = b''

    def events():
        nonlocal cseq
        t = 1 * S
        yield t, tcp_frame(up, cport, sport, cseq, 0, 0x02, 64240)
        yield t + 20 * MS, tcp_frame(down, sport, cport, sseq, cseq + 1, 0x12, 65160)
        yield t + 20 * MS + 100, tcp_frame(up, cport, sport, cseq + 1, sseq + 1, 0x10, 502)
        cseq += 1
        t += 30 * MS
        step = 60 * S // nseg
        for i in range(nseg):
            f = tcp_frame(up, cport, sport, cseq, sseq + 1, 0x18, 502, seg, opts)
            yield t, f[:64], len(f)
            cseq += 1448
            if i % 2:
                yield t + 50, tcp_frame(down, sport, cport, sseq + 1, cseq, 0x10, 8000)[:64], 60
            t += step
        yield t, tcp_frame(up, cport, sport, cseq, sseq + 1, 0x11, 502)
        yield t + 20 * MS, tcp_frame(down, sport, cport, sseq + 1, cseq + 1, 0x11, 8000)
        yield t + 20 * MS + 100, tcp_frame(up, cport, sport, cseq + 1, sseq + 2, 0x10, 502)
    return _writer(path, events())
