"""DNS message encoder (RFC 1035) with name compression as servers do it."""

import struct

from .packets import addr

TYPES = {'A': 1, 'NS': 2, 'CNAME': 5, 'SOA': 6, 'PTR': 12, 'MX': 15, 'TXT': 16,
         'AAAA': 28, 'SRV': 33, 'OPT': 41}
RCODES = {'NOERROR': 0, 'FORMERR': 1, 'SERVFAIL': 2, 'NXDOMAIN': 3, 'REFUSED': 5}
# record types whose RDATA names may be compressed (RFC 3597 section 4)
_COMPRESSIBLE = {'NS', 'CNAME', 'PTR', 'MX', 'SOA'}


class _Msg:
    def __init__(self):
        self.buf = bytearray()
        self.names = {}  # lower-cased suffix -> offset

    def name(self, name, compress=True):
        labels = [l for l in name.rstrip('.').split('.') if l]
        for i in range(len(labels)):
            suffix = '.'.join(labels[i:]).lower()
            if compress and suffix in self.names:
                self.buf += struct.pack('!H', 0xC000 | self.names[suffix])
                return
            if len(self.buf) < 0x3FFF and suffix not in self.names:
                self.names[suffix] = len(self.buf)
            lab = labels[i].encode('ascii')
            assert 0 < len(lab) < 64
            self.buf.append(len(lab))
            self.buf += lab
        self.buf.append(0)

    def rr(self, name, rtype, ttl, rdata, rclass=1):
        self.name(name)
        self.buf += struct.pack('!HHI', TYPES[rtype], rclass, ttl)
        lpos = len(self.buf)
        self.buf += b'\0\0'
        start = len(self.buf)
        if rtype == 'A' or rtype == 'AAAA':
            self.buf += addr(rdata)
        elif rtype in ('NS', 'CNAME', 'PTR'):
            self.name(rdata)
        elif rtype == 'MX':
            pref, host = rdata
            self.buf += struct.pack('!H', pref)
            self.name(host)
        elif rtype == 'TXT':
            for s in ([rdata] if isinstance(rdata, str) else rdata):
                b = s.encode()
                assert len(b) < 256
                self.buf.append(len(b))
                self.buf += b
        elif rtype == 'SRV':
            prio, weight, port, target = rdata
            self.buf += struct.pack('!HHH', prio, weight, port)
            self.name(target, compress=False)  # RFC 2782: no compression
        elif rtype == 'SOA':
            mname, rname, serial, refresh, retry, expire, minimum = rdata
            self.name(mname)
            self.name(rname)
            self.buf += struct.pack('!IIIII', serial, refresh, retry, expire, minimum)
        else:
            raise ValueError(rtype)
        struct.pack_into('!H', self.buf, lpos, len(self.buf) - start)


def _opt(m, udp_size=1232):
    m.buf += b'\0' + struct.pack('!HHIH', 41, udp_size, 0, 0)


def query(qid, qname, qtype, rd=True, edns=False):
    m = _Msg()
    m.buf += struct.pack('!HHHHHH', qid, 0x0100 if rd else 0, 1, 0, 0, 1 if edns else 0)
    m.name(qname)
    m.buf += struct.pack('!HH', TYPES[qtype], 1)
    if edns:
        _opt(m)
    return bytes(m.buf)


def response(qid, qname, qtype, answers=(), authority=(), additional=(),
             rcode='NOERROR', aa=False, tc=False, ra=True, rd=True, edns=False):
    """answers/authority/additional: lists of (name, type, ttl, rdata)."""
    m = _Msg()
    flags = 0x8000 | (0x0400 if aa else 0) | (0x0200 if tc else 0) | \
        (0x0100 if rd else 0) | (0x0080 if ra else 0) | RCODES[rcode]
    m.buf += struct.pack('!HHHHHH', qid, flags, 1, len(answers), len(authority),
                         len(additional) + (1 if edns else 0))
    m.name(qname)
    m.buf += struct.pack('!HH', TYPES[qtype], 1)
    for sec in (answers, authority, additional):
        for r in sec:
            m.rr(*r)
    if edns:
        _opt(m)
    return bytes(m.buf)


def tcp_frame(msg):
    """RFC 1035 4.2.2: two-byte length prefix for DNS over TCP."""
    return struct.pack('!H', len(msg)) + msg


def reverse_name(ipstr):
    b = addr(ipstr)
    if len(b) == 4:
        return '.'.join(str(x) for x in reversed(b)) + '.in-addr.arpa'
    nib = b.hex()
    return '.'.join(reversed(nib)) + '.ip6.arpa'


def mixcase(rng, name):
    """DNS 0x20 case randomisation."""
    return ''.join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in name)
