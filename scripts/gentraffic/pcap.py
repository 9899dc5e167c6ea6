"""Classic libpcap writer and an event timeline."""

import struct

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

# 2026-01-15T10:00:00Z
BASE_TIME = 1768471200
BASE_US = BASE_TIME * 1_000_000

_REC = struct.Struct('<IIII')


class PcapWriter:
    """Writes a classic (microsecond) little-endian pcap with one buffered file."""

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=262144):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.buf = []
        self.count = 0

    def write(self, ts_us, frame, orig_len=None):
        """ts_us: microseconds since the Unix epoch."""
        sec, usec = divmod(ts_us, 1_000_000)
        n = len(frame)
        self.buf.append(_REC.pack(sec, usec, n, n if orig_len is None else orig_len))
        self.buf.append(frame)
        self.count += 1
        if len(self.buf) >= 16384:
            self.f.write(b''.join(self.buf))
            self.buf.clear()

    def write_raw(self, data):
        self.f.write(b''.join(self.buf))
        self.buf.clear()
        self.f.write(data)

    def close(self):
        self.f.write(b''.join(self.buf))
        self.buf.clear()
        self.f.close()


class Timeline:
    """Collects (time, packet) events from independently scripted sessions;
    sorted() merges them in time order, keeping generation order for ties
    (so a session's own packets never reorder).  Times are integer
    microseconds relative to BASE_TIME."""

    def __init__(self):
        self.events = []

    def add(self, t_us, pkt):
        self.events.append((int(t_us), len(self.events), pkt))

    def sorted(self):
        return [(t, p) for t, _, p in sorted(self.events, key=lambda e: (e[0], e[1]))]

    def __len__(self):
        return len(self.events)
