#!/usr/bin/env python3
"""Slow clients for the server load check (bench/server/run.sh).

Keeps COUNT connections open to 127.0.0.1:PORT for SECONDS, each sending a
request line and then one header line every INTERVAL seconds, never ending
its headers (a "slowloris"). A connection the server closes is opened again
at once. Prints how many connections were opened and how many the server
closed. Loopback only; bounded in time.

Usage: slow_clients.py PORT COUNT SECONDS [INTERVAL=0.5]
"""
import selectors
import socket
import sys
import time


def main():
    port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    sel = selectors.DefaultSelector()
    opened = closed = 0
    conns = {}

    def open_one():
        nonlocal opened
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        conns[s] = 0
        sel.register(s, selectors.EVENT_READ)
        opened += 1

    def drop(s):
        nonlocal closed
        sel.unregister(s)
        del conns[s]
        s.close()
        closed += 1

    for _ in range(count):
        open_one()
    end = time.monotonic() + seconds
    next_tick = time.monotonic()
    while time.monotonic() < end:
        timeout = max(0.0, min(next_tick, end) - time.monotonic())
        for key, _ in sel.select(timeout):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data:  # an answer is read and the close awaited
                drop(key.fileobj)
                open_one()
        if time.monotonic() >= next_tick:
            next_tick += interval
            for s in list(conns):
                line = (b"GET /api/status HTTP/1.1\r\n" if conns[s] == 0
                        else b"X-Slow-%d: 1\r\n" % conns[s])
                try:
                    s.send(line)
                    conns[s] += 1
                except BlockingIOError:
                    pass
                except OSError:
                    drop(s)
                    open_one()
    print(f"slow clients: {count} kept open, {opened} connections opened, "
          f"{closed} closed by the server")


if __name__ == "__main__":
    main()
