"""Deliberately broken inputs for robustness tests."""

import struct

from . import dns
from .encap import Ethernet
from .packets import (ACK, ETH_IPV4, ETH_IPV6, ETH_VLAN, PROTO_TCP, PROTO_UDP, SYN, csum,
                      addr, ether, ipv4, ipv6, mac_for, syn_options, tcp, udp, icmp_echo)
from .pcap import BASE_US, LINKTYPE_ETHERNET, PcapWriter
from .scenarios import MS, Ctx, build_portscan

_REC = struct.Struct('<IIII')


def write_truncated_file(path, seed, count):
    """The first 40 packets of the portscan, with the file cut in the middle
    of the last record's data (as a capture killed mid-write leaves it)."""
    ctx = Ctx(seed)
    build_portscan(ctx)
    pkts = ctx.tl.sorted()[:40]
    eth = Ethernet()
    w = PcapWriter(path, LINKTYPE_ETHERNET)
    for t, p in pkts[:-1]:
        w.write(BASE_US + t, eth(t, p))
    t, p = pkts[-1]
    frame = eth(t, p)
    sec, usec = divmod(BASE_US + t, 1_000_000)
    w.write_raw(_REC.pack(sec, usec, len(frame), len(frame)) + frame[:len(frame) // 2])
    w.close()
    return {'packets': len(pkts), 'complete_packets': len(pkts) - 1}


def write_garbage(path, seed, count):
    """Random bytes; the first four are forced away from every pcap and
    pcapng magic number."""
    import random
    rng = random.Random(seed)
    data = bytearray(rng.randbytes(8192))
    data[0:4] = b'\x13\x37GB'
    with open(path, 'wb') as f:
        f.write(data)
    return {'packets': 0, 'complete_packets': 0}


def write_bad_frames(path, seed, count):
    """A valid pcap whose frames have broken headers.  Frames, in order:

      1  valid TCP SYN 10.1.0.9:40001 -> 203.0.113.50:80
      2  caplen 26: cut inside the IPv4 header (orig_len is the full length)
      3  caplen 44: IPv4 complete, cut inside the TCP header (10 of 20 bytes)
      4  caplen 38: cut inside the UDP header (4 of 8 bytes)
      5  IPv4 IHL = 4 (less than the minimum 5)
      6  IPv4 IHL = 15 (60-byte header) but total length 28
      7  IP version 7 in an Ethernet type 0x0800 frame
      8  IPv4 total length 1400 but only 40 bytes present (orig_len = caplen)
      9  UDP length 200 but only 20 bytes of UDP present
     10  UDP length 4 (less than the 8-byte header)
     11  IPv6: hop-by-hop -> routing header whose length (88 bytes) runs
         off the end of the packet
     12  IPv6 payload length 600 with 20 bytes present
     13  TCP data offset 3 (less than 5)
     14  TCP data offset 15 (60 bytes) in a 20-byte segment
     15  a 6-byte frame (shorter than an Ethernet header)
     16  802.1Q tag cut after 2 bytes
     17  0-byte frame
     18  ICMP echo cut after 4 bytes
     19  valid IPv4 first fragment (MF, offset 0) of a UDP datagram
     20  valid IPv4 with a 4-byte options field (IHL 6, NOP NOP NOP EOL)
     21  valid UDP DNS query
     22  valid TCP SYN/ACK answering frame 1
    """
    c, s = addr('10.1.0.9'), addr('203.0.113.50')
    c6, s6 = addr('fd00:1::9'), addr('2001:db8::50')
    mc, ms = mac_for(c), mac_for(s)

    def eth(payload, et=ETH_IPV4, pad=True):
        return ether(ms, mc, et, payload, pad=pad)

    syn = ipv4(c, s, PROTO_TCP, tcp(c, s, 40001, 80, 1000, 0, SYN, window=64240,
                                    options=syn_options()), ident=1)
    u = ipv4(c, s, PROTO_UDP, udp(c, s, 40002, 38001, b'x' * 20), ident=2)
    frames = []  # (frame, orig_len or None)
    frames.append((eth(syn), None))                                    # 1
    f = eth(syn, pad=False)
    frames.append((f[:26], len(f)))                                    # 2
    frames.append((f[:44], len(f)))                                    # 3
    fu = eth(u, pad=False)
    frames.append((fu[:38], len(fu)))                                  # 4
    b = bytearray(u)
    b[0] = 0x44
    frames.append((eth(bytes(b)), None))                               # 5
    b = bytearray(u[:28])
    b[0] = 0x4F
    b[2:4] = (28).to_bytes(2, 'big')
    frames.append((eth(bytes(b)), None))                               # 6
    b = bytearray(u)
    b[0] = 0x75
    frames.append((eth(bytes(b)), None))                               # 7
    b = bytearray(syn)
    b[2:4] = (1400).to_bytes(2, 'big')
    frames.append((eth(bytes(b)), None))                               # 8
    b = bytearray(u)
    b[24:26] = (200).to_bytes(2, 'big')
    frames.append((eth(bytes(b)), None))                               # 9
    b = bytearray(u)
    b[24:26] = (4).to_bytes(2, 'big')
    frames.append((eth(bytes(b)), None))                               # 10
    hbh = bytes((43, 0, 1, 4, 0, 0, 0, 0))          # next: routing; PadN(4)
    rt = bytes((17, 10, 0, 0)) + bytes(12)          # claims (10+1)*8 = 88 bytes
    frames.append((eth(ipv6(c6, s6, 0, hbh + rt), ETH_IPV6), None))    # 11
    b = bytearray(ipv6(c6, s6, PROTO_UDP, udp(c6, s6, 40003, 38002, b'y' * 12)))
    b[4:6] = (600).to_bytes(2, 'big')
    frames.append((eth(bytes(b), ETH_IPV6), None))                     # 12
    b = bytearray(syn)
    b[20 + 12] = (3 << 4)
    frames.append((eth(bytes(b)), None))                               # 13
    plain = ipv4(c, s, PROTO_TCP, tcp(c, s, 40004, 80, 5000, 0, SYN, window=1024), ident=3)
    b = bytearray(plain)
    b[20 + 12] = (15 << 4)
    frames.append((eth(bytes(b)), None))                               # 14
    frames.append((bytes(6), None))                                    # 15
    frames.append((ether(ms, mc, ETH_VLAN, b'\x00\x64', pad=False), None))  # 16
    frames.append((b'', None))                                         # 17
    icmp = ipv4(c, s, 1, icmp_echo(7, 1, b'ping' * 8), ident=4)
    fi = eth(icmp, pad=False)
    frames.append((fi[:14 + 20 + 4], len(fi)))                        # 18
    data = udp(c, s, 40005, 38003, bytes(range(256)) * 8)
    frag = bytearray(ipv4(c, s, PROTO_UDP, data[:1480], ident=0x4242, df=False))
    frag[6:8] = (0x2000).to_bytes(2, 'big')                            # MF, offset 0
    frag[10:12] = b'\0\0'
    frag[10:12] = csum(bytes(frag[:20])).to_bytes(2, 'big')
    frames.append((eth(bytes(frag)), None))                            # 19
    payload = udp(c, s, 40006, 38004, b'options')
    hdr = bytearray(struct.pack('!BBHHHBBH4s4s', 0x46, 0, 24 + len(payload), 5, 0x4000, 64,
                                PROTO_UDP, 0, c, s) + b'\x01\x01\x01\x00')
    hdr[10:12] = csum(bytes(hdr)).to_bytes(2, 'big')
    frames.append((eth(bytes(hdr) + payload), None))                   # 20
    q = dns.query(0x1234, 'valid.example.com', 'A')
    frames.append((eth(ipv4(c, addr('10.1.0.2'), PROTO_UDP,
                            udp(c, addr('10.1.0.2'), 40007, 53, q), ident=6)), None))  # 21
    sa = ipv4(s, c, PROTO_TCP, tcp(s, c, 80, 40001, 777000, 1001, SYN | ACK, window=65160,
                                   options=syn_options()), ident=7, ttl=52)
    frames.append((eth(sa), None))                                     # 22
    w = PcapWriter(path, LINKTYPE_ETHERNET)
    t = BASE_US
    for fr, orig in frames:
        t += 1 * MS
        w.write(t, fr, orig)
    w.close()
    return {'packets': len(frames), 'complete_packets': len(frames)}
