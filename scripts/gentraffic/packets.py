"""Packet builders: IPv4/IPv6, TCP/UDP/ICMP with correct checksums, Ethernet."""

import functools
import ipaddress
import struct

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_GRE, PROTO_ICMPV6 = 1, 6, 17, 47, 58

_IP4 = struct.Struct('!BBHHHBBH4s4s')
_IP6 = struct.Struct('!IHBB16s16s')
_TCP = struct.Struct('!HHIIBBHHH')
_UDP = struct.Struct('!HHHH')


@functools.lru_cache(maxsize=65536)
def addr(text):
    """Packed network-order bytes of an IPv4 or IPv6 address string."""
    return ipaddress.ip_address(text).packed


def addr_str(packed):
    return str(ipaddress.ip_address(packed))


def csum(data, init=0):
    """Internet checksum (RFC 1071) of data, with init added to the sum.

    Uses the fact that 2**16 == 1 (mod 0xFFFF): the one's-complement sum of
    the 16-bit words of a byte string equals its big-endian integer value
    modulo 0xFFFF.  Returns a value in 1..0xFFFF (0xFFFF is the other
    representation of zero, which is also what UDP requires, RFC 768)."""
    if len(data) & 1:
        data += b'\0'
    return 0xFFFF - (int.from_bytes(data, 'big') + init) % 0xFFFF


def pseudo_sum(src, dst, proto, length):
    """Sum contribution of the TCP/UDP pseudo header (RFC 793 / RFC 8200 8.1)."""
    return int.from_bytes(src + dst, 'big') + proto + length


def ipv4(src, dst, proto, payload, ident=0, ttl=64, df=True, tos=0):
    hdr = _IP4.pack(0x45, tos, 20 + len(payload), ident & 0xFFFF,
                    0x4000 if df else 0, ttl, proto, 0, src, dst)
    ck = csum(hdr)
    return hdr[:10] + ck.to_bytes(2, 'big') + hdr[12:] + payload


def ipv6(src, dst, nh, payload, hlim=64, flow=0, tclass=0):
    return _IP6.pack((6 << 28) | (tclass << 20) | (flow & 0xFFFFF),
                     len(payload), nh, hlim, src, dst) + payload


def ip(src, dst, proto, payload, ident=0, ttl=64):
    if len(src) == 4:
        return ipv4(src, dst, proto, payload, ident, ttl)
    return ipv6(src, dst, proto, payload, ttl)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b'', window=64240,
        options=b''):
    """TCP segment (header + payload) with a correct checksum."""
    assert len(options) % 4 == 0
    hdr = _TCP.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    (5 + len(options) // 4) << 4, flags, window, 0, 0) + options
    seg = hdr + payload
    ck = csum(seg, pseudo_sum(src, dst, PROTO_TCP, len(seg)))
    return seg[:16] + ck.to_bytes(2, 'big') + seg[18:]


def udp(src, dst, sport, dport, payload):
    n = 8 + len(payload)
    ck = csum(_UDP.pack(sport, dport, n, 0) + payload,
              pseudo_sum(src, dst, PROTO_UDP, n))
    return _UDP.pack(sport, dport, n, ck) + payload


def icmp_echo(ident, seqno, payload, reply=False, v6=False, src=b'', dst=b''):
    """ICMP (type 8/0) or ICMPv6 (type 128/129) echo message."""
    if v6:
        t = 129 if reply else 128
        body = struct.pack('!BBHHH', t, 0, 0, ident, seqno) + payload
        ck = csum(body, pseudo_sum(src, dst, PROTO_ICMPV6, len(body)))
    else:
        t = 0 if reply else 8
        body = struct.pack('!BBHHH', t, 0, 0, ident, seqno) + payload
        ck = csum(body)
    return body[:2] + ck.to_bytes(2, 'big') + body[4:]


# TCP options (RFC 793, 7323, 2018)
def opt_mss(mss=1460):
    return struct.pack('!BBH', 2, 4, mss)


NOP = b'\x01'


def syn_options(mss=1460, wscale=7, sack=True, style='win'):
    """MSS, NOP, WS, NOP, NOP, SACK_PERM (12 bytes) as Windows and many
    stacks send it; 'nmap' style is MSS only."""
    if style == 'nmap':
        return opt_mss(mss)
    o = opt_mss(mss) + NOP + bytes((3, 3, wscale))
    o += NOP + NOP + (bytes((4, 2)) if sack else NOP + NOP)
    return o


# Ethernet / MAC helpers
ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ, ETH_MPLS = 0x0800, 0x86DD, 0x8100, 0x88A8, 0x8847
ETH_TEB = 0x6558
GATEWAY_MAC = bytes.fromhex('00005e000101')


def is_local(packed):
    if len(packed) == 4:
        return packed[0] == 10
    return packed[0] == 0xfd


def mac_for(packed):
    """Locally administered MAC for a local address; the gateway's MAC for
    remote addresses (a sensor on the local segment sees the router)."""
    if is_local(packed):
        return b'\x02\x00' + packed[-4:]
    return GATEWAY_MAC


def ip_endpoints(pkt):
    """(src, dst, ethertype) of a raw IPv4/IPv6 packet."""
    if pkt[0] >> 4 == 4:
        return pkt[12:16], pkt[16:20], ETH_IPV4
    return pkt[8:24], pkt[24:40], ETH_IPV6


def ether(dst_mac, src_mac, ethertype, payload, pad=True):
    f = dst_mac + src_mac + ethertype.to_bytes(2, 'big') + payload
    if pad and len(f) < 60:
        f += bytes(60 - len(f))
    return f


def ether_for_ip(pkt, pad=True):
    src, dst, et = ip_endpoints(pkt)
    return ether(mac_for(dst), mac_for(src), et, pkt, pad)
