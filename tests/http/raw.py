#!/usr/bin/env python3
"""tests/http/raw.py - a raw HTTP client for the server tests: sends bytes
that curl would never send (pipelined requests, smuggling shapes, a
trickle), then prints everything the server answers and how the
connection ended.

    raw.py HOST PORT [--trickle=SECONDS] [--timeout=SECONDS] [--hold=N]
           [--half-close] < REQUEST-BYTES

Output: the answer's bytes, then one line
    [closed after S s]      the server closed the connection (EOF or reset)
    [open after S s]        still open when --timeout ran out
--trickle sends one byte every SECONDS (slowloris) until the server closes.
--hold=N opens N idle connections, sends nothing on them, and prints, for
each, the first line of what it got (used to fill the connection limit).
"""
import socket
import sys
import time


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "1")
                for a in sys.argv[3:])
    timeout = float(opts.get("timeout", "5"))
    data = sys.stdin.buffer.read()
    if "hold" in opts:
        socks = [socket.create_connection((host, port), timeout=timeout)
                 for _ in range(int(opts["hold"]))]
        time.sleep(float(opts.get("hold-for", "0.5")))
        extra = socket.create_connection((host, port), timeout=timeout)
        extra.sendall(data)
        sys.stdout.write(recv_all(extra, timeout, time.time())[0]
                         .decode("latin-1"))
        for s in socks:
            s.close()
        return
    s = socket.create_connection((host, port), timeout=timeout)
    start = time.time()
    if "trickle" in opts:
        gap = float(opts["trickle"])
        s.settimeout(gap)
        got = b""
        for b in data:
            try:
                s.sendall(bytes([b]))
            except OSError:
                break
            try:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
                break
            except socket.timeout:
                continue
            except OSError:
                break
        rest, closed = recv_all(s, timeout, start)
        sys.stdout.write((got + rest).decode("latin-1"))
    else:
        s.sendall(data)
        if "half-close" in opts:
            s.shutdown(socket.SHUT_WR)
        out, closed = recv_all(s, timeout, start)
        sys.stdout.write(out.decode("latin-1"))
    state = "closed" if closed else "open"
    sys.stdout.write("\n[%s after %.2f s]\n" % (state, time.time() - start))


def recv_all(s, timeout, start):
    out = b""
    while True:
        left = start + timeout - time.time()
        if left <= 0:
            return out, False
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return out, False
        except OSError:
            return out, True
        if not chunk:
            return out, True
        out += chunk


main()
