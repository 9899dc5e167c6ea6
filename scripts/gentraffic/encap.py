"""Link-layer framings and tunnel encapsulations of raw IP packets.

Each framer is a callable (ts_us, ip_packet) -> frame bytes with a
`linktype` attribute.  Tunnel framers put the inner frame inside an outer
Ethernet/IPv4 packet between a mirror source and a collector."""

import struct
import zlib

from .packets import (ETH_IPV4, ETH_MPLS, ETH_QINQ, ETH_TEB, ETH_VLAN,
                      PROTO_GRE, PROTO_UDP, addr, ether, ether_for_ip, ip_endpoints,
                      ipv4, mac_for, udp)
from .pcap import (LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
                   LINKTYPE_RAW)

# tunnel endpoints: a mirror source (e.g. an ENI mirror session) and the sensor
OUTER_SRC = addr('10.1.250.10')
OUTER_DST = addr('10.1.250.20')
OUTER_SRC_MAC = bytes.fromhex('020001fa000a')
OUTER_DST_MAC = bytes.fromhex('020001fa0014')


class Ethernet:
    linktype = LINKTYPE_ETHERNET

    def __call__(self, ts, pkt):
        return ether_for_ip(pkt)


class Raw:
    linktype = LINKTYPE_RAW

    def __call__(self, ts, pkt):
        return pkt


class Vlan:
    linktype = LINKTYPE_ETHERNET

    def __call__(self, ts, pkt):
        src, dst, et = ip_endpoints(pkt)
        tag = struct.pack('!HH', 100, et)            # PCP 0, DEI 0, VID 100
        return ether(mac_for(dst), mac_for(src), ETH_VLAN, tag + pkt)


class QinQ:
    linktype = LINKTYPE_ETHERNET

    def __call__(self, ts, pkt):
        src, dst, et = ip_endpoints(pkt)
        tags = struct.pack('!HHHH', 200, ETH_VLAN, 100, et)  # S-tag 200, C-tag 100
        return ether(mac_for(dst), mac_for(src), ETH_QINQ, tags + pkt)


class Mpls:
    """Two-label stack (RFC 3032): label 1000, then bottom-of-stack label 2000."""
    linktype = LINKTYPE_ETHERNET

    def __call__(self, ts, pkt):
        src, dst, et = ip_endpoints(pkt)
        stack = struct.pack('!II', (1000 << 12) | 63, (2000 << 12) | 0x100 | 63)
        return ether(mac_for(dst), mac_for(src), ETH_MPLS, stack + pkt)


class _Tunnel:
    linktype = LINKTYPE_ETHERNET

    def __init__(self):
        self.ident = 0x1000

    def outer(self, proto, payload):
        self.ident = (self.ident + 1) & 0xFFFF
        return ether(OUTER_DST_MAC, OUTER_SRC_MAC, ETH_IPV4,
                     ipv4(OUTER_SRC, OUTER_DST, proto, payload, self.ident, ttl=255))

    @staticmethod
    def entropy_port(pkt):
        """Source port derived from a hash of the inner packet's addresses, as
        VXLAN/Geneve endpoints do (RFC 7348 section 5) -- deterministic."""
        src, dst, _ = ip_endpoints(pkt)
        return 49152 + zlib.crc32(src + dst) % 16384


class Vxlan(_Tunnel):
    """RFC 7348: outer UDP to 4789, flags 0x08 (I), 24-bit VNI, inner Ethernet
    (the format of AWS VPC Traffic Mirroring)."""

    def __init__(self, vni=4242):
        super().__init__()
        self.vni = vni

    def __call__(self, ts, pkt):
        hdr = struct.pack('!II', 0x08000000, self.vni << 8)
        inner = ether_for_ip(pkt, pad=False)
        return self.outer(PROTO_UDP, udp(OUTER_SRC, OUTER_DST, self.entropy_port(pkt), 4789,
                                         hdr + inner))


class Geneve(_Tunnel):
    """RFC 8926: version 0, no options, protocol 0x6558 (Ethernet), VNI."""

    def __init__(self, vni=99):
        super().__init__()
        self.vni = vni

    def __call__(self, ts, pkt):
        hdr = struct.pack('!BBHI', 0, 0, ETH_TEB, self.vni << 8)
        inner = ether_for_ip(pkt, pad=False)
        return self.outer(PROTO_UDP, udp(OUTER_SRC, OUTER_DST, self.entropy_port(pkt), 6081,
                                         hdr + inner))


class Gre(_Tunnel):
    """RFC 2784 + RFC 2890 key: flags K (0x2000), protocol 0x0800, key."""

    def __init__(self, key=77):
        super().__init__()
        self.key = key

    def __call__(self, ts, pkt):
        et = ip_endpoints(pkt)[2]
        return self.outer(PROTO_GRE, struct.pack('!HHI', 0x2000, et, self.key) + pkt)


class Erspan2(_Tunnel):
    """GRE with the sequence bit (0x1000), protocol 0x88BE, then the 8-byte
    ERSPAN type II header: Ver=1 | VLAN | COS | En | T | Session ID, then
    Reserved(12) | Index(20); inner Ethernet frame."""

    def __init__(self, session=5):
        super().__init__()
        self.session = session
        self.seq = 0

    def __call__(self, ts, pkt):
        gre = struct.pack('!HHI', 0x1000, 0x88BE, self.seq)
        self.seq += 1
        w1 = (1 << 28) | (0 << 16) | (0 << 13) | (0 << 11) | (0 << 10) | self.session
        w2 = 1  # index
        inner = ether_for_ip(pkt, pad=False)
        return self.outer(PROTO_GRE, gre + struct.pack('!II', w1, w2) + inner)


class Erspan3(_Tunnel):
    """GRE (sequence bit) with protocol 0x22EB, 12-byte ERSPAN type III header:
    Ver=2 | VLAN | COS | BSO | T | Session ID; 32-bit timestamp; SGT(16) |
    P | FT(5) | HW ID(6) | D | Gra(2) | O (no platform subheader)."""

    def __init__(self, session=6):
        super().__init__()
        self.session = session
        self.seq = 0

    def __call__(self, ts, pkt):
        gre = struct.pack('!HHI', 0x1000, 0x22EB, self.seq)
        self.seq += 1
        w1 = (2 << 28) | self.session
        stamp = (ts // 100) & 0xFFFFFFFF          # 100-microsecond granularity
        w3 = (0 << 16) | (0 << 15) | (0 << 10) | (1 << 4) | (0 << 3) | (0 << 1) | 0  # Gra 00: 100 us
        inner = ether_for_ip(pkt, pad=False)
        return self.outer(PROTO_GRE, gre + struct.pack('!III', w1, stamp, w3) + inner)


class Sll:
    """LINKTYPE_LINUX_SLL: packet type, ARPHRD_ETHER, addr len 6, addr (8), proto."""
    linktype = LINKTYPE_LINUX_SLL

    def __call__(self, ts, pkt):
        src, dst, et = ip_endpoints(pkt)
        ptype = 4 if src[0] in (10, 0xfd) else 0   # outgoing / to us
        return struct.pack('!HHH', ptype, 1, 6) + mac_for(src) + b'\0\0' + \
            struct.pack('!H', et) + pkt


class Sll2:
    """LINKTYPE_LINUX_SLL2: proto, reserved, ifindex, ARPHRD_ETHER, packet
    type, addr len, addr (8)."""
    linktype = LINKTYPE_LINUX_SLL2

    def __call__(self, ts, pkt):
        src, dst, et = ip_endpoints(pkt)
        ptype = 4 if src[0] in (10, 0xfd) else 0
        return struct.pack('!HHIHBB', et, 0, 2, 1, ptype, 6) + mac_for(src) + b'\0\0' + pkt


FRAMERS = {
    'eth': Ethernet, 'raw': Raw, 'vlan': Vlan, 'qinq': QinQ, 'mpls': Mpls,
    'vxlan': Vxlan, 'geneve': Geneve, 'gre': Gre, 'erspan2': Erspan2,
    'erspan3': Erspan3, 'sll': Sll, 'sll2': Sll2,
}
