"""Stateful TCP/UDP flow helpers that put packets on a Timeline."""

from .packets import (ACK, FIN, PSH, RST, SYN, PROTO_TCP, PROTO_UDP, addr, ip,
                      syn_options, tcp, udp)

CLIENT, SERVER = 0, 1


class TcpFlow:
    """One TCP connection.  Tracks each side's next sequence number so that
    seq/ack values are consistent; packets must be generated in the order
    they appear on the wire.  Side 0 is the initiator (client)."""

    def __init__(self, tl, rng, client, server, cport, sport, mss=1460,
                 syn_style='win', ttl=(128, 52), win=(64240, 65160),
                 post_win=(1026, 501)):
        self.tl = tl
        self.rng = rng
        self.addr = (addr(client), addr(server))
        self.port = (cport, sport)
        self.nxt = [rng.getrandbits(32), rng.getrandbits(32)]
        self.isn = list(self.nxt)
        self.ids = [rng.randrange(65536), rng.randrange(65536)]
        self.ttl = ttl
        self.mss = mss
        self.syn_style = syn_style
        self.win = win
        self.post_win = post_win
        self.established = [False, False]
        self.count = 0

    def send(self, t, side, flags, payload=b'', options=b'', seq=None, ack=None,
             window=None):
        src, dst = self.addr[side], self.addr[1 - side]
        sp, dp = self.port[side], self.port[1 - side]
        s = self.nxt[side] if seq is None else seq
        if ack is None:
            ack = self.nxt[1 - side] if flags & ACK else 0
        if window is None:
            window = self.post_win[side] if self.established[side] else self.win[side]
        seg = tcp(src, dst, sp, dp, s, ack, flags, payload, window, options)
        self.ids[side] = (self.ids[side] + 1) & 0xFFFF
        self.tl.add(t, ip(src, dst, PROTO_TCP, seg, self.ids[side], self.ttl[side]))
        self.count += 1
        if seq is None:
            self.nxt[side] = (self.nxt[side] + len(payload)
                              + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)) & 0xFFFFFFFF
        if flags & ACK:
            self.established[side] = True

    # --- building blocks -------------------------------------------------
    def syn(self, t, retransmit=False, window=None):
        if retransmit:
            self.send(t, CLIENT, SYN, options=syn_options(self.mss, style=self.syn_style),
                      seq=self.isn[CLIENT], window=window)
        else:
            self.send(t, CLIENT, SYN, options=syn_options(self.mss, style=self.syn_style),
                      window=window)

    def synack(self, t):
        self.send(t, SERVER, SYN | ACK, options=syn_options(self.mss))

    def handshake(self, t, rtt):
        """SYN, SYN/ACK, ACK as seen near the client.  Returns end time."""
        self.syn(t)
        t += rtt
        self.synack(t)
        t += self.rng.randint(30, 250)
        self.send(t, CLIENT, ACK)
        return t

    def stream(self, t, side, data, rtt, gap=(8, 120)):
        """Send data from side, cut at MSS, PSH on the last segment; the peer
        ACKs every second segment (RFC 1122 4.2.3.2 / 5681 4.2).  The sensor
        is assumed near the client: the client's ACKs follow quickly, the
        server's ACKs arrive about one RTT after the data.  Returns end time."""
        mss = self.mss
        segs = [data[i:i + mss] for i in range(0, len(data), mss)] or [b'']
        peer = 1 - side
        ack_delay = (lambda: self.rng.randint(40, 400)) if peer == CLIENT else (lambda: rtt)
        unacked = 0
        for i, seg in enumerate(segs):
            last = i == len(segs) - 1
            self.send(t, side, ACK | (PSH if last else 0), seg)
            unacked += 1
            if unacked == 2 or last:
                self.send(t + ack_delay(), peer, ACK)
                unacked = 0
            t += self.rng.randint(*gap)
        return t + ack_delay() + self.rng.randint(5, 60)

    def exchange(self, t, request, response, rtt, think=(200, 3000)):
        """Client request, server response after roughly one RTT.  Returns end time."""
        t = self.stream(t, CLIENT, request, rtt)
        # the response starts one RTT after the request went out (server ACK
        # was already sent by stream()); keep times monotone in this flow
        t += self.rng.randint(*think)
        return self.stream(t, SERVER, response, rtt)

    def close(self, t, side, rtt):
        """FIN/ACK from side, FIN/ACK back, final ACK.  Returns end time."""
        peer = 1 - side
        self.send(t, side, FIN | ACK)
        t += rtt if side == CLIENT else self.rng.randint(40, 400)
        self.send(t, peer, FIN | ACK)
        t += self.rng.randint(40, 400) if side == CLIENT else rtt
        self.send(t, side, ACK)
        return t

    def rst(self, t, side, with_ack=False):
        self.send(t, side, RST | (ACK if with_ack else 0), window=0)


def udp_packet(src, dst, sport, dport, payload, ident=0, ttl=64):
    s, d = addr(src), addr(dst)
    return ip(s, d, PROTO_UDP, udp(s, d, sport, dport, payload), ident, ttl)
