"""Issue 7, the management endpoint (docs/mgmt.md): HTTPS on 443 as a
remote administrator and a hostile client see it. A host set up by
keel.cfg boots under QEMU with user networking and a port forward; the
tests talk real TLS from Python's ssl module (pinning the thumbprint the
console shows) and from curl, an independent client.

Two boots: test_protocol_and_limits (TLS policy, resumption, HTTP
framing and its errors, a flood of silent connections) and
test_sessions (login/logout with curl, lockdown from the console, a
burst of failed logins, stalled clients cut off on time). Each password check costs ~4.4 s of PBKDF2 under
TCG, so logins are few.
"""
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time

from harness import Qemu, free_port
from keel_rpc import Rpc, RpcError, tls_context, thumbprint_of, wait_listening

PASSWORD = "Keel-Test1"
KEEL_CFG = ('vmaccepteula\nrootpw "%s"\n'
            'network --bootproto=dhcp --hostname=esx-mgmt.lab\n' % PASSWORD)
THUMB_LINE = r"(?:[0-9A-F]{2}:){15}[0-9A-F]{2}"
F2, HOME, DOWN, ENTER, ESC = b"\x1bOQ", b"\x1b[H", b"\x1b[B", b"\r", b"\x1b"
LOCKDOWN_MSG = ("host is in lockdown mode; turn it off at the console "
                "(F2 > Lockdown Mode)")


def boot(m):
    """A configured host (keel.cfg) with 443 forwarded to a local port.
    The serial line stays a log; console keys go in over it and the
    screen is read from VGA (docs/console.md)."""
    port = free_port()
    cfg = os.path.join(m.dir, "keel.cfg")
    with open(cfg, "w") as f:
        f.write(KEEL_CFG)
    m.build_image("", files={"keel.cfg": cfg})
    m.start(disk="ahci", serial_in=True, extra=[
        "-smp", "2", "-nic", "user,model=e1000,hostfwd=tcp:127.0.0.1:%d-:443" % port])
    m.wait_for([r"mgmt: HTTPS endpoint on TCP port 443 \(IPv4 and IPv6\)"], 120)
    wait_listening(port, 60)
    return port


def screen(m):
    return "\n".join(m.vga_text())


def wait_screen(m, pattern, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        t = screen(m)
        if re.search(pattern, t):
            return t
        if time.monotonic() > deadline:
            m.fail("screen never showed %r:\n%s" % (pattern, t), m.log())
        time.sleep(0.3)


def console_thumbprint(m):
    t = wait_screen(m, r"thumbprint:\n\s+%s\n\s+%s" % (THUMB_LINE, THUMB_LINE))
    g = re.search(r"thumbprint:\n\s+(%s)\n\s+(%s)" % (THUMB_LINE, THUMB_LINE), t)
    return g.group(1) + ":" + g.group(2)


def curl(port, *args):
    """curl against /rpc (the thumbprint was checked with Python: -k)."""
    r = subprocess.run(["curl", "-sk", "-i", "--max-time", "60"] + list(args)
                       + ["https://127.0.0.1:%d/rpc" % port],
                       capture_output=True, timeout=90)
    head, _, body = r.stdout.replace(b"\r\n", b"\n").rpartition(b"\n\n")
    statuses = re.findall(rb"^HTTP/1\.1 (\d+)", head, re.M)
    return int(statuses[-1]) if statuses else None, head.decode(), body


def tls_connect(port, ctx=None, **kw):
    return (ctx or tls_context()).wrap_socket(
        socket.create_connection(("127.0.0.1", port), timeout=60), **kw)


def read_all(s):
    out = b""
    while True:
        try:
            d = s.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            break
        if not d:
            break
        out += d
    return out


def raw_exchange(port, data):
    """Send @data on a fresh TLS connection; everything the server says
    until it closes."""
    with tls_connect(port) as s:
        s.sendall(data)
        return read_all(s)


def check(m, cond, what):
    if not cond:
        m.fail(what, m.log())


def request(body, extra=b"", close=False):
    return (b"POST /rpc HTTP/1.1\r\nHost: keel\r\nContent-Type: application/json\r\n"
            + extra + (b"Connection: close\r\n" if close else b"")
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)


class Probe(threading.Thread):
    """A client that connects and then stalls, to see when and how the
    endpoint gives up on it."""

    def __init__(self, port, tls, send=b""):
        super().__init__(daemon=True)
        self.port, self.tls, self.send = port, tls, send
        self.got, self.after = None, None
        self.start()

    def run(self):
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=90)
        if self.tls:
            s = tls_context().wrap_socket(s)
            s.sendall(self.send)
        self.got = read_all(s)
        self.after = time.monotonic() - t0
        s.close()


def test_protocol_and_limits():
    """TLS 1.2 with strong suites only and the console's certificate,
    resumption; POST /rpc framing and every refusal with its status;
    stalled clients are cut off on time; 100 silent connections do not
    keep the administrator out."""
    with Qemu("mgmt-protocol") as m:
        port = boot(m)
        # The certificate is the one whose thumbprint the console shows.
        thumb = console_thumbprint(m)
        ctx = tls_context()
        s = tls_connect(port, ctx)
        check(m, thumbprint_of(s.getpeercert(binary_form=True)) == thumb,
              "TLS certificate is not the one the console shows (%s)" % thumb)
        check(m, s.version() == "TLSv1.2", "negotiated %s" % s.version())
        suite = s.cipher()[0]
        check(m, re.match(r"ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$",
                          suite), "weak suite %s" % suite)
        # Resumption: the session comes back without a full handshake.
        session = s.session
        s.close()
        with tls_connect(port, ctx, session=session) as s:
            check(m, s.session_reused, "TLS session was not resumed")
        # No CBC suites, no TLS 1.3-only client, nothing older.
        ctx = tls_context()
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
                        "ECDHE-ECDSA-AES128-SHA:AES128-GCM-SHA256")
        try:
            tls_connect(port, ctx).close()
            m.fail("a CBC/static-RSA suite was accepted", m.log())
        except ssl.SSLError:
            pass
        ctx = tls_context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        try:
            tls_connect(port, ctx).close()
            m.fail("a TLS 1.3-only client was accepted", m.log())
        except ssl.SSLError:
            pass

        # Without a session: the auth error says how to get one.
        rpc = Rpc(port, thumbprint=thumb)
        try:
            rpc.call("session.logout")
            m.fail("session.logout without a session succeeded", m.log())
        except RpcError as e:
            check(m, e.code == -32001 and "session.login" in e.message, str(e))
        # Malformed JSON: -32700, and the same connection keeps serving.
        sock = rpc.conn.sock
        status, _, body = rpc.post(b'{"jsonrpc": "2.0", "method": ')
        check(m, status == 200 and json.loads(body)["error"]["code"] == -32700,
              "malformed JSON: %s %r" % (status, body))
        try:
            rpc.call("no.such.method")
        except RpcError as e:
            check(m, e.code == -32601, str(e))
        check(m, rpc.conn.sock is sock, "the connection was not kept alive")
        # A notification only: 204, still the same connection.
        status, _, body = rpc.post(b'{"jsonrpc": "2.0", "method": "session.logout"}')
        check(m, status == 204 and body == b"", "notification: %s %r" % (status, body))
        check(m, rpc.conn.sock is sock, "the connection was not kept alive")
        # Oversized body: 413, readable (not a reset) though the body was sent.
        status, _, body = rpc.post(b"[" + b" " * (2 * 1024 * 1024) + b"]")
        check(m, status == 413 and b"2 MiB" in body, "big body: %s %r" % (status, body))
        rpc.close()

        # Pipelining: two requests in one write, two answers in order.
        out = raw_exchange(port, request(b'{"jsonrpc":"2.0","id":1,"method":"a.b"}')
                           + request(b'{"jsonrpc":"2.0","id":2,"method":"c.d"}', close=True))
        answers = re.findall(rb'"id":(\d)', out)
        check(m, out.count(b"HTTP/1.1 200 OK") == 2 and answers == [b"1", b"2"],
              "pipelined answers: %r" % out)
        # HTTP-level refusals, each with its status.
        check(m, raw_exchange(port, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 "),
              "bad request line not refused with 400")
        out = raw_exchange(port, request(b"{}", extra=b"X-Pad: " + b"a" * 17000 + b"\r\n"))
        check(m, out.startswith(b"HTTP/1.1 431 "), "oversized head: %r" % out[:100])
        out = raw_exchange(port, request(b"{}", extra=b"Content-Length: 2\r\n"))
        check(m, out.startswith(b"HTTP/1.1 400 "), "duplicate Content-Length: %r" % out[:100])
        status, head, _ = curl(port)  # GET
        check(m, status == 405 and "Allow: POST" in head, "GET /rpc: %s %s" % (status, head))
        status, _, _ = curl(port, "-X", "POST")
        check(m, status == 411, "POST without a body: %s" % status)
        status, _, body = curl(port, "-H", "Transfer-Encoding: chunked", "-d", "{}")
        check(m, status == 411 and b"Content-Length" in body, "chunked body: %s %r"
              % (status, body))
        big = os.path.join(m.dir, "big.json")
        with open(big, "wb") as f:
            f.write(b" " * (3 * 1024 * 1024))
        status, _, _ = curl(port, "--data-binary", "@" + big)
        check(m, status == 413, "curl with a 3 MiB body: %s" % status)
        r = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                            "-d", "{}", "https://127.0.0.1:%d/other" % port],
                           capture_output=True, text=True, timeout=60)
        check(m, r.stdout == "404", "POST /other: %s" % r.stdout)

        # 100 connections that send nothing; while they keep coming, the
        # administrator connects, logs in and calls a method within a
        # bound. Every other one first completes a TLS handshake, so it
        # counts against the 60 s keep-alive limit rather than the 10 s
        # handshake limit: QEMU's user networking accepts only ~3
        # connections a second, and plain silent ones alone would time out
        # before they filled the 32 slots. Filled, each new connection
        # evicts the one that has waited longest.
        flood = []

        def open_flood():
            for i in range(100):
                s = socket.create_connection(("127.0.0.1", port), timeout=60)
                if i % 2:
                    s = tls_context().wrap_socket(s)
                flood.append(s)

        opener = threading.Thread(target=open_flood, daemon=True)
        opener.start()
        while len(flood) < 70 and opener.is_alive():
            time.sleep(0.1)
        t0 = time.monotonic()
        admin = Rpc(port, thumbprint=thumb)
        admin.login(PASSWORD)
        check(m, admin.call("session.logout") is True, "logout did not answer true")
        took = time.monotonic() - t0
        admin.close()
        check(m, took < 30, "the administrator needed %.1f s beside 100 silent "
              "connections" % took)
        opener.join(120)
        check(m, len(flood) == 100, "only %d silent connections opened" % len(flood))
        check(m, re.search(r"mgmt: 32 connections open: closed the one from 10\.0\.2\.2 "
                           r"that waited longest", m.log()),
              "no connection was evicted: the test did not fill the slots")
        # After the handshake limit at most 32 are left, all with TLS.
        time.sleep(12)
        left = []
        for i, s in enumerate(flood):
            s.settimeout(0.1)
            try:
                if s.recv(1) != b"":
                    left.append(i)
            except (ConnectionResetError, ssl.SSLError):
                pass
            except (socket.timeout, ssl.SSLWantReadError):
                left.append(i)
            s.close()
        check(m, len(left) <= 32 and all(i % 2 for i in left),
              "silent connections left open: %s" % left)
        check(m, "PANIC" not in m.log(), "panic")


def console_lockdown(m, expect_now):
    """At the console: F2, Lockdown Mode, confirm (already logged in)."""
    m.send_serial(HOME + DOWN * 6 + ENTER)
    wait_screen(m, r"Lockdown mode is (ON|OFF)")
    m.send_serial(b"y")
    wait_screen(m, r"Lockdown mode is now %s" % expect_now)
    m.send_serial(ENTER)
    wait_screen(m, r"System Customization")


def test_sessions():
    """curl logs in and uses its token; lockdown from the console refuses
    logins and ends the session; a burst of wrong passwords is answered
    ever more slowly and then locks the address out, the right password
    included."""
    with Qemu("mgmt-sessions") as m:
        port = boot(m)
        # Stalled clients, checked at the end: a TCP connection that never
        # starts TLS (10 s handshake limit), a request head that never
        # ends (30 s request limit: 408).
        silent = Probe(port, tls=False)
        partial = Probe(port, tls=True, send=b"POST /rpc HTTP/1.1\r\nHost: k")
        thumb = console_thumbprint(m)

        # curl, an independent client: log in, use the token, log out.
        login = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "session.login",
                            "params": {"user": "root", "password": PASSWORD}})
        status, _, body = curl(port, "-H", "Content-Type: application/json", "-d", login)
        check(m, status == 200, "curl login: %s %r" % (status, body))
        res = json.loads(body)["result"]
        check(m, re.fullmatch(r"[0-9a-f]{64}", res["token"]) and res["expires_in"] == 1800,
              "login result %r" % res)
        logout = '{"jsonrpc":"2.0","id":2,"method":"session.logout"}'
        status, _, body = curl(port, "-H", "Authorization: Bearer " + res["token"],
                               "-d", logout)
        check(m, json.loads(body).get("result") is True, "curl logout: %r" % body)
        status, _, body = curl(port, "-H", "Authorization: Bearer " + res["token"],
                               "-d", logout)
        check(m, json.loads(body)["error"]["code"] == -32001,
              "token still valid after logout: %r" % body)
        m.wait_for([r"auth: root@10\.0\.2\.2: session\.login: ok"], 5)

        # Lockdown mode from the console ends the session and refuses
        # logins with the hint; off again, the old session stays ended.
        rpc = Rpc(port, thumbprint=thumb)
        rpc.login(PASSWORD)
        m.send_serial(F2)
        wait_screen(m, r"Authentication Required")
        m.send_serial(PASSWORD.encode() + ENTER)
        wait_screen(m, r"System Customization", timeout=60)
        console_lockdown(m, "on")
        time.sleep(1.1)  # the endpoint reads the setting once a second
        for call in (lambda: rpc.call("session.logout"),
                     lambda: Rpc(port).login(PASSWORD)):
            try:
                call()
                m.fail("allowed in lockdown mode", m.log())
            except RpcError as e:
                check(m, e.code == -32004 and e.message == LOCKDOWN_MSG, str(e))
        console_lockdown(m, "off")
        m.send_serial(ESC)
        time.sleep(1.1)
        try:
            rpc.call("session.logout")
            m.fail("a session survived lockdown mode", m.log())
        except RpcError as e:
            check(m, e.code == -32001, str(e))

        # Failed logins: refused after 0, 1, 2, 4 s of delay (wrong user
        # names cost no password check, so the delay is all there is to
        # time); the 5th failure, a wrong root password, locks 10.0.2.2
        # out, and then even the right password is refused at once.
        took = []
        for user, pw in [("admin", PASSWORD), ("administrator", PASSWORD),
                         ("Root", PASSWORD), ("esxadmin", "x"), ("root", "wrong")]:
            t0 = time.monotonic()
            try:
                rpc.login(pw, user=user)
                m.fail("a wrong login was accepted", m.log())
            except RpcError as e:
                check(m, e.code == -32002, str(e))
                took.append(time.monotonic() - t0)
                last = e.message
        check(m, took[0] < 0.9 and 0.9 < took[1] < 2.9 and 1.9 < took[2] < 3.9
              and 3.9 < took[3] < 5.9, "no growing delay: %s" % took)
        check(m, "locked out for 15 minutes" in last, last)
        t0 = time.monotonic()
        try:
            rpc.login(PASSWORD)
            m.fail("the right password got in during the lockout", m.log())
        except RpcError as e:
            check(m, e.code == -32003 and "10.0.2.2" in e.message, str(e))
        check(m, time.monotonic() - t0 < 3, "the locked-out answer took a "
              "password check")
        m.wait_for([r"auth: 10\.0\.2\.2: session\.login root: wrong user or password, "
                    r"failure 5 of 5: address locked out for 15 minutes"], 5)
        rpc.close()

        # The stalled clients were cut off on time.
        silent.join(30)
        partial.join(40)
        check(m, silent.got == b"" and 9 < silent.after < 15,
              "silent TCP client: %r after %s s" % (silent.got, silent.after))
        check(m, partial.got.startswith(b"HTTP/1.1 408 ") and 29 < partial.after < 40,
              "partial request: %r after %s s" % (partial.got[:60], partial.after))
