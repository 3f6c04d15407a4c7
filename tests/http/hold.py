#!/usr/bin/env python3
"""tests/http/hold.py - many kept-alive HTTP connections at once, for
tests/http/capacity.sh and bench/http_bench.sh (the memory measurement).

    hold.py HOST N [PATH]

Opens N connections to HOST:80 and sends one GET for PATH (default
/index.html) on each, then reads every answer while all N stay open. Then,
with the N still open, a new connection asks once; then every one of the
N asks a second time, which shows the server kept them (a server that
closed them would give nothing). Prints one line per step:

    held OK BAD        answers 200 with their whole body on the N
    new STATUS         the new connection's status (0: none)
    again OK BAD       second answers on the N
and exits 0 when all of them were 200.
"""
import socket
import sys


def answer(s):
    """Read one answer from s: its status, or 0 when it is cut short."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return 0
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            return 0
        body += chunk
    parts = lines[0].split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def ask(s, path):
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: hold\r\n\r\n")


def count(socks, path):
    for s in socks:
        ask(s, path)
    ok = 0
    for s in socks:
        try:
            ok += answer(s) == 200
        except OSError:
            pass
    return ok


def main():
    host, n = sys.argv[1], int(sys.argv[2])
    path = (sys.argv[3] if len(sys.argv) > 3 else "/index.html").encode()
    socks = []
    try:
        for _ in range(n):
            socks.append(socket.create_connection((host, 80), timeout=20))
    except OSError as e:
        print("connect failed after %d: %s" % (len(socks), e))
    held = count(socks, path)
    print("held %d %d" % (held, n - held), flush=True)
    status = 0
    try:
        with socket.create_connection((host, 80), timeout=20) as s:
            ask(s, path)
            status = answer(s)
    except OSError:
        pass
    print("new %d" % status, flush=True)
    again = count(socks, path)
    print("again %d %d" % (again, n - again), flush=True)
    for s in socks:
        s.close()
    sys.exit(0 if held == n and status == 200 and again == n else 1)


if __name__ == "__main__":
    main()
