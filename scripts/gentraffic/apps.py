"""Application payloads: HTTP/1.1 and TLS 1.2/1.3 handshake records."""

import struct

USER_AGENTS = [
    'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
    'Chrome/131.0.0.0 Safari/537.36',
    'curl/8.5.0',
    'Debian APT-HTTP/1.3 (2.6.1)',
]

_WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod '
          'tempor incididunt ut labore et dolore magna aliqua').split()


def text_body(rng, n):
    head = b'<!doctype html><html><head><title>page</title></head><body><p>'
    tail = b'</p></body></html>\n'
    words = []
    size = len(head) + len(tail)
    while size < n:
        w = rng.choice(_WORDS)
        words.append(w)
        size += len(w) + 1
    body = head + ' '.join(words).encode() + tail
    return body[:max(n, len(head) + len(tail))] if n > len(head) + len(tail) else head + tail


def http_get(host, path, ua):
    return (f'GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {ua}\r\n'
            'Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n').encode()


def http_response(rng, body_len, ctype='text/html; charset=utf-8', status='200 OK'):
    body = text_body(rng, body_len)
    hdr = (f'HTTP/1.1 {status}\r\nDate: Thu, 15 Jan 2026 10:00:00 GMT\r\n'
           f'Server: nginx\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n'
           'Connection: close\r\n\r\n').encode()
    return hdr + body


def _ext(etype, data):
    return struct.pack('!HH', etype, len(data)) + data


def _vec(data, lenbytes):
    return len(data).to_bytes(lenbytes, 'big') + data


def record(ctype, body, version=0x0303):
    out = b''
    for i in range(0, len(body), 16384):
        chunk = body[i:i + 16384]
        out += struct.pack('!BHH', ctype, version, len(chunk)) + chunk
    return out


def client_hello(rng, sni, tls13=True, alpn=(b'h2', b'http/1.1')):
    """A well-formed ClientHello record (RFC 8446 4.1.2 / RFC 5246 7.4.1.2)
    with server_name (RFC 6066), supported_groups, ec_point_formats,
    signature_algorithms, ALPN and, for 1.3, supported_versions, key_share,
    psk_key_exchange_modes."""
    rand = rng.randbytes(32)
    sid = rng.randbytes(32) if tls13 else b''
    suites = [0x1301, 0x1302, 0x1303] if tls13 else []
    suites += [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D]
    name = sni.encode('ascii')
    exts = _ext(0, _vec(b'\x00' + _vec(name, 2), 2))
    exts += _ext(23, b'')                              # extended_master_secret
    exts += _ext(0xFF01, b'\x00')                      # renegotiation_info
    exts += _ext(10, _vec(struct.pack('!4H', 0x001D, 0x0017, 0x0018, 0x0019), 2))
    exts += _ext(11, _vec(b'\x00', 1))
    exts += _ext(16, _vec(b''.join(_vec(p, 1) for p in alpn), 2))
    exts += _ext(13, _vec(struct.pack('!8H', 0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
                                      0x0501, 0x0806, 0x0601), 2))
    if tls13:
        exts += _ext(51, _vec(struct.pack('!HH', 0x001D, 32) + rng.randbytes(32), 2))
        exts += _ext(45, _vec(b'\x01', 1))
        exts += _ext(43, _vec(struct.pack('!HH', 0x0304, 0x0303), 1))
    body = struct.pack('!H', 0x0303) + rand + _vec(sid, 1)
    body += _vec(b''.join(struct.pack('!H', s) for s in suites), 2)
    body += _vec(b'\x00', 1) + _vec(exts, 2)
    hs = b'\x01' + len(body).to_bytes(3, 'big') + body
    return record(22, hs, version=0x0301)


def server_hello(rng, client_hello_rec, tls13=True):
    """ServerHello echoing the client's session id; for 1.3 followed by a
    change_cipher_spec and encrypted (opaque) application_data records."""
    sid_len = client_hello_rec[43]
    sid = client_hello_rec[44:44 + sid_len]
    if tls13:
        exts = _ext(43, struct.pack('!H', 0x0304))
        exts += _ext(51, struct.pack('!HH', 0x001D, 32) + rng.randbytes(32))
        suite = 0x1301
    else:
        exts = _ext(0xFF01, b'\x00') + _ext(23, b'')
        suite = 0xC02F
    body = struct.pack('!H', 0x0303) + rng.randbytes(32) + _vec(sid, 1)
    body += struct.pack('!HB', suite, 0) + _vec(exts, 2)
    out = record(22, b'\x02' + len(body).to_bytes(3, 'big') + body)
    if tls13:
        out += record(20, b'\x01')
        out += record(23, rng.randbytes(rng.randint(2400, 4200)))
    else:
        # Certificate, ServerKeyExchange, ServerHelloDone as opaque handshake
        # records would need real structure; a 1.2 server is modelled as a
        # ServerHelloDone only, enough for a well-formed first flight.
        out += record(22, b'\x0e\x00\x00\x00')
    return out


def app_data(rng, n):
    return record(23, rng.randbytes(n))
