#!/usr/bin/python3
"""Management endpoint figures (docs/mgmt.md "Figures").

Boots a host set up by keel.cfg under QEMU TCG with user networking and
443 forwarded, then from Python's ssl/http.client:
  - full TLS handshakes per second (a new session each time) and resumed
    ones (the session from a ticket), sequential;
  - requests per second and p50/p99 latency of a cheap authenticated
    call (host.info; session.logout-free: the session stays) on one
    keep-alive connection, and on 8 connections in parallel;
  - with --vm: an NVMe datastore is formatted, a 16 MiB file uploaded
    through datastore.upload (1 MiB base64 chunks; MiB/s including the
    SHA-256 check at the end), a VM created from the g_console test guest
    and started, and the calls measured are vm.info of that VM;
  - with --icount: the one-connection requests again under `-icount
    shift=0` on one CPU, where the guest's clock counts instructions, and
    host.stats's CPU busy time before and after gives the instructions per
    request (idle time excluded; TLS, HTTP, JSON-RPC, lwIP and the NIC
    driver included).
Every login costs ~4.4 s of PBKDF2 under TCG: one per boot. Prints
figures; never fails on a number.
Usage: bench/mgmt.py [--vm] [--icount] [-n REQUESTS]   (after ./build.sh)
"""
import argparse
import base64
import hashlib
import os
import socket
import ssl
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402
from keel_rpc import Rpc, RpcError, tls_context  # noqa: E402
from test_mgmt_server import PASSWORD, boot  # noqa: E402

METHOD = "host.info"
PARAMS = {}
VM_DISK = ["-drive", "file={ds},format=raw,if=none,id=ds",
           "-device", "nvme,serial=bench0,drive=ds"]
GUEST = os.path.join(ROOT, "build", "guests", "g_console.bin")


def handshakes(port, n, resume):
    """Sequential TLS handshakes; (per second, median ms)."""
    ctx = tls_context()
    session = None
    times = []
    for _ in range(n + 1):
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s = ctx.wrap_socket(s, session=session if resume else None)
        times.append(time.monotonic() - t0)
        if resume and session is not None and not s.session_reused:
            print("  (a session was not resumed)")
        session = s.session
        s.close()
    times = times[1:]  # the first one only fetches the session
    return len(times) / sum(times), statistics.median(times) * 1000


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def call(rpc):
    try:
        rpc.call(METHOD, **PARAMS)
    except RpcError as e:
        if e.code != -32601:  # --method no.such.method: the bare path
            raise


def calls(rpc, n, out):
    for _ in range(n):
        t0 = time.monotonic()
        call(rpc)
        out.append(time.monotonic() - t0)


def requests(port, token, n, conns):
    """@conns keep-alive connections, @n calls each; (calls/s, p50, p99)."""
    clients = []
    for _ in range(conns):
        r = Rpc(port)
        r.token = token
        call(r)  # warm: handshake done, buffers grown
        clients.append(r)
    lat = []
    threads = [threading.Thread(target=calls, args=(r, n, lat)) for r in clients]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    for r in clients:
        r.close()
    return len(lat) / secs, pct(lat, 50), pct(lat, 99)


def busy_ms(rpc):
    """(CPU busy ms, uptime ms) from host.stats."""
    st = rpc.call("host.stats")
    return st["cpu"]["busy_ms"], st["uptime_ms"]


def background(rpc):
    """Busy ms per uptime ms while no client calls (the console's status
    screen, lwIP's timers ...), to take out of the per-call figure."""
    b0, u0 = busy_ms(rpc)
    time.sleep(3)
    b1, u1 = busy_ms(rpc)
    return (b1 - b0) / max(1, u1 - u0)


def upload(rpc, name, data):
    """datastore.upload in 1 MiB chunks; MiB/s (the final check included)."""
    chunk = 1 << 20
    t0 = time.monotonic()
    for off in range(0, len(data), chunk):
        p = {"name": name, "offset": off,
             "data": base64.b64encode(data[off:off + chunk]).decode()}
        if off == 0:
            p.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
        if off + chunk >= len(data):
            p["done"] = True
        r = rpc.call("datastore.upload", **p)
    if not r.get("complete"):
        raise RuntimeError("upload not complete: %r" % r)
    return len(data) / (1 << 20) / (time.monotonic() - t0)


def vm_setup(rpc, label):
    """Datastore, an upload figure, one running VM; vm.info is measured."""
    global METHOD, PARAMS
    rpc.call("datastore.format", disk="nvme0n1", label="bench")
    mib = upload(rpc, "blob.bin", os.urandom(16 << 20))
    print("mgmt: %s: datastore.upload of 16 MiB in 1 MiB base64 chunks: %.2f MiB/s"
          % (label, mib))
    upload(rpc, "g_console.bin", open(GUEST, "rb").read())
    rpc.call("vm.create", name="bench1", vcpus=1, memory_mb=16, kernel="g_console.bin")
    rpc.call("vm.start", name="bench1")
    METHOD, PARAMS = "vm.info", {"name": "bench1"}


def run(icount, n, vm):
    label = "-icount shift=0" if icount else "TCG"
    with Qemu("bench-mgmt") as m:
        # One CPU: under -icount the vCPUs share one instruction clock, so
        # two busy CPUs would each count the other's instructions.
        extra = ["-icount", "shift=0", "-smp", "1"] if icount else []
        if vm:
            ds = os.path.join(m.dir, "ds.img")
            with open(ds, "wb") as f:
                f.truncate(128 << 20)
            extra += [a.format(ds=ds) for a in VM_DISK]
        port = boot(m, extra=extra)
        admin = Rpc(port)
        t0 = time.monotonic()
        admin.login(PASSWORD)
        print("mgmt: %s: session.login (PBKDF2, 600000 iterations): %.1f s"
              % (label, time.monotonic() - t0))
        if vm:
            vm_setup(admin, label)
        try:
            call(admin)
        except RpcError as e:
            print("mgmt: %s unavailable (%s): nothing more to measure" % (METHOD, e))
            return
        if not icount:
            hs, med = handshakes(port, 30, False)
            print("mgmt: full TLS handshakes (ECDHE P-256/X25519, ECDSA P-256): "
                  "%.1f/s, median %.1f ms" % (hs, med))
            hs, med = handshakes(port, 30, True)
            print("mgmt: resumed TLS handshakes (session ticket): %.1f/s, median %.1f ms"
                  % (hs, med))
        # Under -icount the guest's clock is its instruction count, so its
        # timeouts and time slices no longer match the client's: only the
        # one-connection figure means something there.
        for conns in ((1,) if icount else (1, 8)):
            try:
                bg = background(admin) if icount else 0
                b0, u0 = busy_ms(admin)
            except (RpcError, KeyError, TypeError):
                b0 = None
            per = max(1, n // conns)
            rate, p50, p99 = requests(port, admin.token, per, conns)
            line = ("mgmt: %s: %s on %d keep-alive connection%s: %.1f calls/s, "
                    "p50 %.1f ms, p99 %.1f ms"
                    % (label, METHOD, conns, "s" if conns > 1 else "", rate, p50, p99))
            if icount and b0 is not None:
                # Busy CPU time under -icount shift=0 is instructions (1 ns
                # each), so ms * 1e6 / calls, less what the idle host
                # spends in the same time; the host.stats call is in it.
                b1, u1 = busy_ms(admin)
                instr = (b1 - b0 - bg * (u1 - u0)) * 1e6 / (per * conns + 1)
                line += (", ~%.0f k instructions per call (background %.1f%% "
                         "of the CPU taken out)" % (instr / 1000, bg * 100))
            print(line)
        admin.close()


def main():
    global METHOD
    ap = argparse.ArgumentParser()
    ap.add_argument("--icount", action="store_true",
                    help="also count instructions per call under -icount shift=0")
    ap.add_argument("-n", type=int, default=200, help="calls per measurement")
    ap.add_argument("--method", default=METHOD,
                    help="the method to call (no.such.method: TLS, HTTP and "
                    "dispatch only)")
    ap.add_argument("--no-tcg", action="store_true", help="only the -icount run")
    ap.add_argument("--vm", action="store_true",
                    help="datastore upload figure, then vm.info of a running VM")
    a = ap.parse_args()
    METHOD = a.method
    if not a.no_tcg:
        run(False, a.n, a.vm)
    if a.icount:
        run(True, a.n // 2, a.vm)


if __name__ == "__main__":
    main()
