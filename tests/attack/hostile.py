#!/usr/bin/env python3
"""tests/attack/hostile.py - the hostile host of tests/attack/attack.sh.

Crafts Ethernet frames (IPv4, ARP, ICMP, UDP, TCP, fragments, options) and
writes them onto one tap device through an AF_PACKET socket, or talks to a
unikernel through ordinary sockets, as a hostile or broken neighbour
would.  Every attack is bounded in frames and in time.  It runs inside the
test's own network namespace, and every IPv4 address it writes into a
packet must lie in 198.18.0.0/15 (ip() refuses anything else), so nothing
it makes can be meant for a real network.

    hostile.py --iface tap0 --uk 198.18.0.2 --uk-mac MAC --me 198.18.0.1 \\
        ATTACK [--count N] [--seconds S] [--rate PPS] [--port P]

Exit status 0 when the attack ran (and, for the attacks that hold a
connection - blind, soft-icmp, transfer - when the connection survived
and echoed every byte); 1 with a message otherwise.
"""
import argparse
import ipaddress
import random
import select
import socket
import struct
import sys
import time

TEST_NET = ipaddress.ip_network("198.18.0.0/15")
ETH_IPV4, ETH_ARP = 0x0800, 0x0806
BCAST = b"\xff" * 6


def ip(text):
    """The 4 bytes of `text`, which must be in 198.18.0.0/15."""
    a = ipaddress.ip_address(text)
    if a not in TEST_NET:
        sys.exit(f"hostile.py: {a} is outside 198.18.0.0/15, refused")
    return a.packed


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    frame = dst + src + struct.pack("!H", etype) + payload
    return frame + b"\0" * (60 - len(frame)) if len(frame) < 60 else frame


def ipv4(src, dst, proto, payload, ident=1, frag=0, ttl=64, options=b"",
         tos=0, total=None, ihl=None, version=4, fix=True):
    """An IPv4 header + payload; src/dst are 4-byte addresses."""
    if ihl is None:
        ihl = (20 + len(options)) // 4
    if total is None:
        total = 20 + len(options) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, tos, total & 0xFFFF,
                    ident & 0xFFFF, frag, ttl, proto, 0, src, dst) + options
    if fix:
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def pseudo(src, dst, proto, length):
    return src + dst + struct.pack("!BBH", 0, proto, length)


def tcp(src, dst, sport, dport, seq, ack, flags, win=65535, options=b"",
        payload=b"", doff=None):
    if doff is None:
        doff = (20 + len(options)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, doff << 4, flags, win, 0, 0) + options
    seg = h + payload
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload, length=None, good=True):
    if length is None:
        length = 8 + len(payload)
    d = struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + payload
    c = csum(pseudo(src, dst, 17, len(d)) + d) or 0xFFFF
    if not good:
        c ^= 0x5555
    return d[:6] + struct.pack("!H", c) + d[8:]


def icmp(typ, code, rest, payload=b"", good=True):
    m = struct.pack("!BBHI", typ, code, 0, rest) + payload
    c = csum(m) ^ (0 if good else 0x00FF)
    return m[:2] + struct.pack("!H", c) + m[4:]


def arp(op, sha, spa, tha, tpa, htype=1, ptype=ETH_IPV4, hlen=6, plen=4):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + \
        sha + spa + tha + tpa


SYN, ACK, RST, PSH, FIN = 0x02, 0x10, 0x04, 0x08, 0x01


class Host:
    """The tap, our addresses and the unikernel's, and a paced sender."""

    def __init__(self, a):
        self.iface = a.iface
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.sock.bind((a.iface, 0))
        with open(f"/sys/class/net/{a.iface}/address") as f:
            self.my_mac = mac(f.read().strip())
        self.uk, self.uk_mac = ip(a.uk), mac(a.uk_mac)
        self.uk_text = a.uk
        self.me = ip(a.me)
        # Made-up neighbours never take our address or the unikernel's:
        # that would be ARP poisoning, which any host on a link can do.
        net = ipaddress.ip_network(a.spoof)
        hosts = [ip(str(x)) for x in net.hosts()]
        self.pool = [x for x in hosts if x not in (self.me, self.uk)][:a.pool]
        self.rate = a.rate
        self.sent = 0
        self.start = time.monotonic()

    def send(self, frame):
        """Write one frame, keeping to the rate (frames per second)."""
        if self.rate:
            due = self.start + self.sent / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        try:
            self.sock.send(frame)
        except OSError:
            pass  # the tap's queue is full: the frame is lost, as on a wire
        self.sent += 1

    def to_uk(self, payload, src_mac=None, etype=ETH_IPV4):
        self.send(eth(self.uk_mac, src_mac or self.my_mac, etype, payload))

    def spoofed(self, i):
        """The i-th made-up neighbour: an address and a MAC of its own."""
        a = self.pool[i % len(self.pool)]
        return a, b"\x02\x66" + a


# ---- attacks on the IP layer -------------------------------------------


def malformed_ip(h, a):
    r = random.Random(1)
    bad_sources = [b"\xff\xff\xff\xff", b"\xe0\0\0\1", b"\x7f\0\0\1", h.uk]
    for i in range(a.count):
        echo = icmp(8, 0, 0x4D410000 | i & 0xFFFF, b"m" * 16)
        kind = i % 10
        if kind == 0:
            p = ipv4(h.me, h.uk, 1, echo, version=r.choice([0, 5, 6, 15]))
        elif kind == 1:
            p = ipv4(h.me, h.uk, 1, echo, ihl=r.randrange(0, 5))
        elif kind == 2:
            p = ipv4(h.me, h.uk, 1, echo, ihl=15)[:40]
        elif kind == 3:
            p = ipv4(h.me, h.uk, 1, echo, total=r.choice([0, 19, 200, 65535]))
        elif kind == 4:
            p = bytearray(ipv4(h.me, h.uk, 1, echo))
            p[10] ^= 0xFF
            p = bytes(p)
        elif kind == 5:
            p = ipv4(h.me, h.uk, 1, echo, frag=0x8000)
        elif kind == 6:
            p = ipv4(h.me, h.uk, 1, echo, ttl=0)
        elif kind == 7:
            p = ipv4(r.choice(bad_sources), h.uk, 1, echo)
        elif kind == 8:
            p = ipv4(h.me, ip("198.18.0.77"), 1, echo)
        else:
            p = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 80)))
        h.to_uk(p)


def ip_options(h, a):
    opts = [
        b"\x01\x01\x01\x00",                       # NOP NOP NOP EOL
        b"\x07\x27\x04" + b"\0" * 36 + b"\x00",    # record route, 9 slots
        b"\x44\x28\x05\x00" + b"\0" * 36,          # timestamp
        b"\x83\x0b\x04" + ip("198.18.0.1") * 2,    # loose source route
        b"\x89\x07\x04" + ip("198.18.0.1"),        # strict source route
        b"\x94\x04\x00\x00",                       # router alert
        b"\x07\x00\x00\x00",                       # length 0
        b"\x07\x01\x00\x00",                       # length 1
        b"\x07\xff\x04\x00",                       # longer than the header
        b"\x44\x02\x00\x00",                       # timestamp, too short
        b"\xff" * 40,                              # 40 bytes of junk
        b"\x00" * 40,                              # all EOL
    ]
    for i in range(a.count):
        o = opts[i % len(opts)]
        echo = icmp(8, 0, 0x4F500000 | i & 0xFFFF, b"options")
        h.to_uk(ipv4(h.me, h.uk, 1, echo, ident=i, options=o))


def fragments(h, a):
    """Teardrop, its relatives and overlaps of every shape."""
    for i in range(a.count):
        ident = 0x7000 + i
        src = h.pool[i % len(h.pool)]
        echo = icmp(8, 0, 0x54440000 | i & 0xFFFF, bytes(range(48)))
        kind = i % 7
        if kind == 0:  # teardrop: the second lies inside the first
            parts = [(0, echo[:24], True), (1, echo[8:12], False)]
        elif kind == 1:  # overlap at the end
            parts = [(0, echo[:32], True), (2, echo[16:], False)]
        elif kind == 2:  # same place, other bytes (checksum kept valid)
            other = bytearray(echo[8:])
            other[1] = (other[1] + 1) & 0xFF
            other[3] = (other[3] - 1) & 0xFF
            parts = [(1, echo[8:], False), (1, bytes(other), False),
                     (0, echo[:8], True)]
        elif kind == 3:  # a last fragment ending before data already here
            parts = [(4, echo[32:40], True), (1, echo[8:16], False),
                     (0, echo[:8], True)]
        elif kind == 4:  # empty and odd-sized non-final fragments
            parts = [(0, b"", True), (0, echo[:7], True), (1, echo[8:], False)]
        elif kind == 5:  # bonk: the second starts inside, ends before
            parts = [(0, echo[:40], True), (2, echo[16:24], False)]
        else:  # exact duplicates, then the rest: must be answered
            parts = [(0, echo[:24], True), (0, echo[:24], True),
                     (3, echo[24:], False)]
        for off, data, more in parts:
            frag = off | (0x2000 if more else 0)
            h.to_uk(ipv4(src, h.uk, 1, data, ident=ident, frag=frag),
                    src_mac=b"\x02\x66" + src)


def ping_of_death(h, a):
    """Echo requests whose fragments reach past 65535 bytes."""
    chunk = bytes(1480)
    for i in range(a.count):
        ident = 0x6000 + i
        h.to_uk(ipv4(h.me, h.uk, 1, icmp(8, 0, i, chunk[8:]), ident=ident,
                     frag=0x2000))
        for off in range(185, 8192, 185 * 8):  # a few of the middle ones
            h.to_uk(ipv4(h.me, h.uk, 1, chunk, ident=ident,
                         frag=0x2000 | off))
        h.to_uk(ipv4(h.me, h.uk, 1, chunk, ident=ident, frag=8189))
        h.to_uk(ipv4(h.me, h.uk, 1, b"x" * 100, ident=ident, frag=8191))


def fragment_trains(h, a):
    """First fragments of datagrams that never complete, each its own."""
    for i in range(a.count):
        src, smac = h.spoofed(i)
        data = icmp(8, 0, i, bytes(8 * (1 + i % 180) - 8))
        h.to_uk(ipv4(src, h.uk, 1 + (i % 3) * 8, data, ident=i,
                     frag=0x2000), src_mac=smac)


# ---- TCP ---------------------------------------------------------------


def syn_flood(h, a):
    for i in range(a.count):
        src, smac = h.spoofed(i)
        seg = tcp(src, h.uk, 1024 + i % 60000, a.port, random.getrandbits(32),
                  0, SYN, options=b"\x02\x04\x05\xb4")
        h.to_uk(ipv4(src, h.uk, 6, seg, ident=i), src_mac=smac)


def tcp_options(h, a):
    bad = [
        b"\x02\x00\x00\x00",               # MSS, length 0
        b"\x02\x01\x00\x00",               # MSS, length 1
        b"\x02\x04\x00\x00",               # MSS 0
        b"\x02\x04\x00\x01",               # MSS 1
        b"\x03\x03\xff\x00",               # window scale 255
        b"\x04\x03\x00\x00",               # SACK permitted, length 3
        b"\x05\x0b" + b"\xff" * 10,        # SACK, odd length
        b"\x05\x22" + b"\x00" * 32 + b"\x00\x00",  # SACK, 4 blocks in a SYN
        b"\x08\x09" + b"\0" * 7 + b"\0",   # timestamps, length 9
        b"\x08\x0a" + b"\xff" * 8 + b"\0\0",
        b"\x1e\x28" + b"\0" * 38,          # unknown kind, 40 bytes
        b"\x01" * 40,                      # 40 NOPs
        b"\x00\x02\x04\x05\xb4\x00\x00\x00",  # EOL, then an MSS
        b"\x02\xff\x05\xb4",               # beyond the header
    ]
    for i in range(a.count):
        src, smac = h.spoofed(i)
        o = bad[i % len(bad)]
        doff = None
        if i % 15 == 14:  # data offset beyond the segment
            o, doff = b"", 15
        flags = SYN if i % 2 == 0 else ACK | PSH
        seg = tcp(src, h.uk, 2000 + i, a.port, i * 7919, 0, flags, options=o,
                  payload=b"" if flags == SYN else b"data", doff=doff)
        h.to_uk(ipv4(src, h.uk, 6, seg, ident=i), src_mac=smac)


def connect(h, a):
    s = socket.create_connection((h.uk_text, a.port), timeout=5)
    s.settimeout(5)
    return s


def echo_ok(s, msg):
    """Send msg (text or bytes) and read it all back, or exit."""
    if isinstance(msg, str):
        msg = msg.encode()
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        part = s.recv(len(msg) - len(got))
        if not part:
            break
        got += part
    if got != msg:
        sys.exit(f"hostile.py: {len(msg)} bytes sent ({msg[:24]!r}...), "
                 f"{len(got)} echoed"
                 f"{' (different)' if len(got) == len(msg) else ''}")


def blind(h, a):
    """RFC 5961: RST, SYN and data with guessed sequence numbers, aimed at
    a live connection's 4-tuple; it must survive and echo afterwards."""
    s = connect(h, a)
    echo_ok(s, "before")
    lport = s.getsockname()[1]
    r = random.Random(5961)
    for i in range(a.count):
        seq, ack = r.getrandbits(32), r.getrandbits(32)
        kind = i % 4
        if kind == 0:
            seg = tcp(h.me, h.uk, lport, a.port, seq, 0, RST)
        elif kind == 1:
            seg = tcp(h.me, h.uk, lport, a.port, seq, ack, RST | ACK)
        elif kind == 2:
            seg = tcp(h.me, h.uk, lport, a.port, seq, 0, SYN)
        else:
            seg = tcp(h.me, h.uk, lport, a.port, seq, ack, ACK | PSH,
                      payload=b"injected")
        h.to_uk(ipv4(h.me, h.uk, 6, seg, ident=i))
    time.sleep(0.2)
    echo_ok(s, "after the blind attacks")
    s.close()


def soft_icmp(h, a):
    """ICMP port and protocol unreachable quoting the unikernel's own
    sequence number of a live connection: soft errors (RFC 5927 4.1), so
    the connection must go on."""
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(0x0003))
    sniff.bind((h.iface, 0))
    s = connect(h, a)
    lport = s.getsockname()[1]
    echo_ok(s, "before the ICMP errors")
    # The unikernel's SND.MAX on this connection: the end of the last
    # segment it sent us (always inside [SND.UNA, SND.MAX]).
    nxt = None
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        if not select.select([sniff], [], [], 0.05)[0]:
            if nxt is not None:
                break
            continue
        f = sniff.recv(2048)
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 15) * 4
        t = f[14 + ihl:]
        if f[26:30] != h.uk or struct.unpack("!H", t[2:4])[0] != lport:
            continue
        total = struct.unpack("!H", f[16:18])[0]
        seq = struct.unpack("!I", t[4:8])[0]
        dlen = total - ihl - (t[12] >> 4) * 4
        nxt = (seq + dlen + (1 if t[13] & (SYN | FIN) else 0)) & 0xFFFFFFFF
    if nxt is None:
        sys.exit("hostile.py: saw no segment of the connection")
    for code in (3, 2, 3, 1, 0):
        inner = ipv4(h.uk, h.me, 6, struct.pack("!HHI", a.port, lport, nxt))
        msg = icmp(3, code, 0, inner)
        h.to_uk(ipv4(h.me, h.uk, 1, msg))
    time.sleep(0.2)
    echo_ok(s, "after the ICMP errors")
    s.close()


def transfer(h, a):
    """One connection that echoes a pattern for about --seconds, every byte
    checked: the real peer's transfer of the neighbour flood."""
    s = connect(h, a)
    pattern = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(65536))
    chunks = max(1, int(a.seconds * 10))
    for i in range(chunks):
        piece = pattern[(i * 997) % 4096:][:16384]
        echo_ok(s, piece)
        time.sleep(0.1)
    s.close()


# ---- UDP, ICMP, ARP ------------------------------------------------------


def bad_udp(h, a):
    for i in range(a.count):
        src, smac = h.spoofed(i)
        kind = i % 6
        body = b"u" * (i % 64)
        if kind == 0:
            d = udp(src, h.uk, 5000, a.port, body, good=False)
        elif kind == 1:
            d = udp(src, h.uk, 5000, a.port, body, length=8 + len(body) + 50)
        elif kind == 2:
            d = udp(src, h.uk, 5000, a.port, body, length=i % 8)
        elif kind == 3:
            d = udp(src, h.uk, 5000, a.port, body)[:5]
        elif kind == 4:
            d = udp(src, h.uk, 0, i % 65536, body)
        else:
            d = struct.pack("!HHHH", 5000, a.port, 8 + len(body), 0) + body
        h.to_uk(ipv4(src, h.uk, 17, d, ident=i), src_mac=smac)


def bad_icmp(h, a):
    r = random.Random(792)
    for i in range(a.count):
        src, smac = h.spoofed(i)
        kind = i % 7
        if kind == 0:
            m = icmp(8, 0, i, b"bad", good=False)
        elif kind == 1:
            m = icmp(8, 0, i, b"")[:r.randrange(0, 8)]
        elif kind == 2:
            m = icmp(r.randrange(256), r.randrange(256), r.getrandbits(32),
                     bytes(r.getrandbits(8) for _ in range(r.randrange(40))))
        elif kind == 3:  # unreachable quoting garbage
            m = icmp(3, r.randrange(16), 0,
                     bytes(r.getrandbits(8) for _ in range(r.randrange(60))))
        elif kind == 4:  # quoting a header that claims more than it has
            inner = ipv4(h.uk, src, 6, b"\0" * 8, ihl=15)[:28]
            m = icmp(11, 0, 0, inner)
        elif kind == 5:  # echo to the directed broadcast
            p = ipv4(src, ip(a.broadcast), 1, icmp(8, 0, i, b"b"))
            h.send(eth(BCAST, smac, ETH_IPV4, p))
            continue
        else:  # time exceeded quoting one of its echoes
            m = icmp(11, 0, 0, ipv4(h.uk, src, 1, icmp(8, 0, 0x1234)))
        h.to_uk(ipv4(src, h.uk, 1, m, ident=i), src_mac=smac)


def arp_storm(h, a):
    r = random.Random(826)
    zero = b"\0" * 6
    for i in range(a.count):
        spa, _ = h.spoofed(i)
        sha = bytes([0x02]) + bytes(r.getrandbits(8) for _ in range(5))
        kind = i % 8
        if kind == 0:  # requests aimed at the unikernel: learnt
            p, dst = arp(1, sha, spa, zero, h.uk), BCAST
        elif kind == 1:  # unsolicited replies
            p, dst = arp(2, sha, spa, h.uk_mac, h.uk), h.uk_mac
        elif kind == 2:  # requests for others
            p, dst = arp(1, sha, spa, zero, h.pool[-1]), BCAST
        elif kind == 3:  # a claim on the unikernel's own address
            p, dst = arp(1, sha, h.uk, zero, h.uk), BCAST
        elif kind == 4:  # probes (sender 0)
            p, dst = arp(1, sha, b"\0" * 4, zero, h.uk), BCAST
        elif kind == 5:  # a group sender address
            p, dst = arp(1, b"\x01" + sha[1:], spa, zero, h.uk), BCAST
        elif kind == 6:  # wrong types and lengths
            p = arp(1, sha, spa, zero, h.uk, htype=6, hlen=r.choice([0, 6, 16]),
                    plen=r.choice([0, 4, 16]), ptype=r.choice([0x86dd, 0x800]))
            dst = BCAST
        else:  # truncated, and an unknown operation
            p = arp(r.choice([0, 3, 9]), sha, spa, zero, h.uk)[:r.randrange(29)]
            dst = BCAST
        h.send(eth(dst, sha, ETH_ARP, p))


def neighbour_flood(h, a):
    """Pings and SYNs from made-up on-link neighbours (issue 17, D2), at
    --rate for --seconds."""
    end = time.monotonic() + a.seconds
    i = 0
    while time.monotonic() < end:
        src, smac = h.spoofed(i)
        if i % 2 == 0:
            p = ipv4(src, h.uk, 1, icmp(8, 0, 0x4E460000 | i & 0xFFFF, b"nf"))
        else:
            p = ipv4(src, h.uk, 6, tcp(src, h.uk, 1024 + i % 60000, a.port,
                                       i * 104729, 0, SYN))
        h.to_uk(p, src_mac=smac)
        i += 1


# ---- DNS, through ordinary UDP sockets ----------------------------------


def dns_loops(h, a):
    """Queries whose names loop through compression pointers, point
    forwards, at themselves, or pile up labels; and records that do."""
    header = struct.pack("!HHHHHH", 0x1717, 0x0100, 1, 0, 0, 0)
    names = [
        b"\xc0\x0c",                          # a pointer to itself
        b"\x01a\xc0\x0c",                     # a label, then back to it
        b"\xc0\x0e\xc0\x0c",                  # two pointing at each other
        b"\xc0\xff",                          # forwards, past the end
        b"\x3f" + b"x" * 63 + b"\xc0\x0c",    # a long label, then a loop
        b"\x01a" * 130 + b"\0",               # more than 255 bytes
        b"\x40" + b"y" * 64 + b"\0",          # a label length of 64
        b"\x80\x00",                          # the reserved label type
    ]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    for i in range(a.count):
        n = names[i % len(names)]
        q = header + n + b"\0\x01\0\x01"
        if i % 3 == 1:  # a chain of pointers in the additional section
            chain = b"".join(struct.pack("!H", 0xC000 | (12 + 2 * k))
                             for k in range(1, 40))
            q = struct.pack("!HHHHHH", 0x1718, 0x0100, 1, 0, 0, 1) + \
                b"\x03www\x07example\x04test\0\0\x01\0\x01" + chain + \
                b"\0\x01\0\x01\0\0\0\0\0\0"
        try:
            s.sendto(q, (h.uk_text, 53))
        except BlockingIOError:
            time.sleep(0.001)
        if a.rate:
            time.sleep(1 / a.rate)


def dns_random(h, a):
    r = random.Random(53)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    for i in range(a.count):
        d = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 600)))
        if i % 2 and len(d) >= 12:  # a plausible header, random rest
            d = struct.pack("!HHHHHH", i, 0x0100, 1, r.randrange(3),
                            r.randrange(3), r.randrange(3)) + d[12:]
        try:
            s.sendto(d, (h.uk_text, 53))
        except BlockingIOError:
            time.sleep(0.001)
        if a.rate:
            time.sleep(1 / a.rate)


ATTACKS = {
    "malformed-ip": malformed_ip,
    "ip-options": ip_options,
    "fragments": fragments,
    "ping-of-death": ping_of_death,
    "fragment-trains": fragment_trains,
    "syn-flood": syn_flood,
    "tcp-options": tcp_options,
    "blind": blind,
    "soft-icmp": soft_icmp,
    "transfer": transfer,
    "bad-udp": bad_udp,
    "bad-icmp": bad_icmp,
    "arp-storm": arp_storm,
    "neighbour-flood": neighbour_flood,
    "dns-loops": dns_loops,
    "dns-random": dns_random,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("attack", choices=sorted(ATTACKS))
    p.add_argument("--iface", required=True)
    p.add_argument("--uk", required=True, help="the unikernel's address")
    p.add_argument("--uk-mac", required=True)
    p.add_argument("--me", required=True, help="our address on the tap")
    p.add_argument("--spoof", default="198.18.1.0/24",
                   help="where made-up neighbours come from (on-link)")
    p.add_argument("--pool", type=int, default=250,
                   help="how many made-up neighbours")
    p.add_argument("--broadcast", default="198.18.3.255")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--rate", type=float, default=0,
                   help="frames per second (0: as fast as the tap takes)")
    p.add_argument("--port", type=int, default=7)
    a = p.parse_args()
    if a.count > 200000 or a.seconds > 60 or not 0 < a.pool <= 1000:
        sys.exit("hostile.py: beyond the bounds of a test")
    ip(a.broadcast)
    h = Host(a)
    ATTACKS[a.attack](h, a)
    print(f"hostile.py: {a.attack}: {h.sent} frames in "
          f"{time.monotonic() - h.start:.1f} s")


if __name__ == "__main__":
    main()
