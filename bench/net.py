#!/usr/bin/python3
"""Management-network figures: TCP throughput to Keel's echo diagnostic.

Boots Keel with keel.echo on QEMU user networking (e1000 and e1000e, or
the models given on the command line), forwards a free host port to its
port 7 and pushes TOTAL bytes through the echo with a sender thread while
the main thread reads them back. The same loop against a Python echo
server on the host's loopback gives the "QEMU-native" reference (no
emulated NIC, no guest), reported as a ratio. A second run under
`-icount shift=0` reads Keel's own "net: echo:" line, where TSC ticks are
guest instructions, for instructions per frame (idle time included, so an
upper bound). Prints figures; never fails on a number.
Usage: bench/net.py [MODEL...]   (after ./build.sh)
"""
import os
import re
import socket
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu, free_port  # noqa: E402

TOTAL = 8 << 20
CHUNK = 16384
ECHO = (r"net: echo: (\d+) bytes back in (\d+) ms, (\d+) TSC ticks, "
        r"(\d+) frames")


def pump(port, total=TOTAL):
    """Send @total bytes and read them back; MB/s of payload one way."""
    c = socket.create_connection(("127.0.0.1", port), timeout=60)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    block = os.urandom(CHUNK)

    def sender():
        sent = 0
        while sent < total:
            n = min(CHUNK, total - sent)
            c.sendall(block[:n])
            sent += n

    t0 = time.monotonic()
    th = threading.Thread(target=sender)
    th.start()
    got = 0
    while got < total:
        data = c.recv(65536)
        if not data:
            break
        got += len(data)
    th.join()
    secs = time.monotonic() - t0
    c.close()
    if got != total:
        print("  (only %d of %d bytes came back)" % (got, total))
    return got / secs / 1e6


def native_echo():
    """A host echo server on loopback: the reference peer."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        with conn:
            while (data := conn.recv(65536)):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


def wait_echo(port, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
                c.sendall(b"x")
                if c.recv(1) == b"x":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("echo service never answered")
        time.sleep(0.5)


def keel_run(model, icount):
    port = free_port()
    extra = ["-nic", "user,model=%s,hostfwd=tcp:127.0.0.1:%d-:7" % (model, port)]
    if icount:
        extra += ["-icount", "shift=0"]
    with Qemu("bench-net-%s" % model) as m:
        m.build_image("keel.echo")
        m.start(extra=extra)
        m.wait_for([r"keel: boot complete", r"net: vmk0 on "], 120)
        wait_echo(port)
        mbs = pump(port, TOTAL // 4 if icount else TOTAL)
        text = m.wait_for([ECHO + r"\n(.|\n)*" + ECHO], 60)
        last = re.findall(ECHO, text)[-1]
        return mbs, [int(x) for x in last]


def main():
    models = sys.argv[1:] or ["e1000", "e1000e"]
    native = pump(native_echo())
    print("net: host loopback echo (native reference): %.1f MB/s" % native)
    for model in models:
        mbs, _ = keel_run(model, False)
        print("net: %s: TCP echo through hostfwd %.2f MB/s, %.3f of native"
              % (model, mbs, mbs / native))
        _, (nbytes, ms, ticks, frames) = keel_run(model, True)
        if frames:
            print("net: %s: -icount shift=0: %d bytes, %d frames, %d instructions "
                  "per frame (upper bound: idle included), %d per KiB"
                  % (model, nbytes, frames, ticks // frames, ticks * 1024 // max(nbytes, 1)))


if __name__ == "__main__":
    main()
