#!/usr/bin/env python3
# tests/fw/peer.py - the Linux hosts' side of tests/fw/appliance.sh (not a
# test itself), in subcommands:
#
#   echo PORT             a TCP and a UDP echo server on PORT (any address)
#   fill HOST PORT GO MAX one TCP connection to HOST:PORT, then UDP flows
#                         from fresh ports until one goes unanswered (1 s)
#                         or MAX are;
#                         prints "filled N" (the flows answered); waits for
#                         the file GO; then prints "kept M" (how many of
#                         the N flows and the TCP connection still echo)
#   forge KIND MARK ...   sends hostile IPv4 packets through a raw socket
#                         (the kernel routes them; their sources are
#                         whatever the test says), each carrying MARK
#   sniff IFACE MARK FILE PORT
#                         counts frames on IFACE that carry MARK until
#                         killed; writes "seen N" to FILE as it goes, and
#                         "seq S", the sequence number of the last TCP
#                         segment from PORT
#
# Only the addresses the test gives are used; it keeps them in
# 198.18.0.0/15.
import os
import select
import socket
import struct
import sys
import threading
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0,
                    ttl, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, 17, len(u))
    c = csum(ph + u) or 0xFFFF
    return ip4(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                    65535, 0, 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, 6, len(t))
    c = csum(ph + t)
    return ip4(src, dst, 6, t[:16] + struct.pack("!H", c) + t[18:])


def icmp_error(src, dst, typ, code, quote):
    m = struct.pack("!BBHI", typ, code, 0, 0) + quote
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    return ip4(src, dst, 1, m)


def send_raw(pkts):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    for p in pkts:
        s.sendto(p, (socket.inet_ntoa(p[16:20]), 0))
        time.sleep(0.002)


def forge(kind, mark, args):
    """Hostile packets of one kind, MARK in each (in the payload or in
    the quoted packet's payload, which the quote carries whole)."""
    m = mark.encode()
    if kind == "spoof":
        # an inside source arriving on the outside: SRC DST COUNT
        src, dst, n = args[0], args[1], int(args[2])
        pkts = [udp(src, dst, 5000 + k, 7000, m) for k in range(n)]
        pkts += [tcp(src, dst, 6000 + k, 8443, 1000, 0, 0x02, m)
                 for k in range(n)]
    elif kind == "icmp":
        # ICMP port unreachable from SRC to DST quoting a UDP packet
        # QSRC:QSPORT -> QDST:QDPORT: COUNT of them
        src, dst, qsrc, qsport, qdst, qdport, n = args[:7]
        q = udp(qsrc, qdst, int(qsport), int(qdport), m)
        pkts = [icmp_error(src, dst, 3, 3, q)] * int(n)
    elif kind == "icmp-tcp":
        # the same quoting a TCP segment
        src, dst, qsrc, qsport, qdst, qdport, n = args[:7]
        q = tcp(qsrc, qdst, int(qsport), int(qdport), 1, 0, 0x10, m)
        pkts = [icmp_error(src, dst, 3, 3, q)] * int(n)
    elif kind == "icmp-short":
        # an ICMP error whose quote is cut inside its IP header
        src, dst, n = args[0], args[1], int(args[2])
        q = udp(dst, src, 1, 2, m)[:12] + m
        pkts = [icmp_error(src, dst, 3, 3, q)] * n
    elif kind == "rst":
        # a RST from SRC:SPORT to DST:DPORT with sequence number SEQ
        src, dst, sport, dport, seq, n = args[:6]
        pkts = [tcp(src, dst, int(sport), int(dport), int(seq), 0, 0x04, m)
                ] * int(n)
    else:
        sys.exit("unknown kind " + kind)
    send_raw(pkts)
    print("sent %d %s" % (len(pkts), kind))


def sniff(iface, mark, out, port):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    m = mark.encode()
    n = 0
    with open(out, "w") as f:
        f.write("seen 0\n")
    seq = None
    while True:
        frame = s.recv(65536)
        hit = m in frame
        if hit:
            n += 1
        ip = frame[14:]
        if frame[12:14] == b"\x08\x00" and len(ip) >= 40 and ip[9] == 6:
            t = ip[(ip[0] & 15) * 4:]
            if len(t) >= 8 and struct.unpack("!H", t[:2])[0] == port:
                seq = struct.unpack("!I", t[4:8])[0]
                hit = True
        if hit:
            with open(out, "w") as f:
                f.write("seen %d\n" % n)
                if seq is not None:
                    f.write("seq %d\n" % seq)


def echo(port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind(("0.0.0.0", port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", port))
    t.listen(64)

    def serve(c):
        with c:
            while True:
                d = c.recv(4096)
                if not d:
                    return
                c.sendall(d)

    print("echo on %d" % port, flush=True)
    while True:
        r, _, _ = select.select([u, t], [], [])
        if u in r:
            d, a = u.recvfrom(2048)
            u.sendto(d, a)
        if t in r:
            c, _ = t.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()


def answered(s, tag):
    s.send(tag)
    r, _, _ = select.select([s], [], [], 1.0)
    return bool(r) and s.recv(100) == tag


def fill(host, port, go, most):
    t = socket.create_connection((host, port), timeout=10)
    t.sendall(b"first\n")
    assert t.recv(100) == b"first\n"
    flows = []
    while len(flows) < most:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect((host, port))
        if not answered(s, b"flow %d" % len(flows)):
            s.close()
            break
        flows.append(s)
    print("filled %d" % len(flows), flush=True)
    for _ in range(600):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    kept = sum(answered(s, b"again %d" % k) for k, s in enumerate(flows))
    t.settimeout(5)
    t.sendall(b"second\n")
    tcp_ok = t.recv(100) == b"second\n"
    print("kept %d of %d, tcp %s" % (kept, len(flows),
                                     "ok" if tcp_ok else "lost"), flush=True)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "echo":
        echo(int(args[0]))
    elif cmd == "fill":
        fill(args[0], int(args[1]), args[2], int(args[3]))
    elif cmd == "forge":
        forge(args[0], args[1], args[2:])
    elif cmd == "sniff":
        sniff(args[0], args[1], args[2], int(args[3]))
    else:
        sys.exit("usage: peer.py echo|fill|forge|sniff ...")


if __name__ == "__main__":
    main()
