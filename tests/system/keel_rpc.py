"""A JSON-RPC 2.0 over HTTPS client for system tests and benches, written
from docs/api.md with Python's own ssl and http.client (an independent
implementation of the protocol, not keelctl's code).

Keel's certificate is self-signed: the client trusts it by its SHA-256
thumbprint (what the console shows), as keelctl's TOFU does.
"""
import hashlib
import http.client
import json
import socket
import ssl
import time


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__("%d: %s" % (code, message))
        self.code, self.message = code, message


def thumbprint_of(der):
    h = hashlib.sha256(der).hexdigest().upper()
    return ":".join(h[i:i + 2] for i in range(0, 64, 2))


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # pinned by thumbprint instead
    return ctx


class Rpc:
    """One keep-alive HTTPS connection to the endpoint."""

    def __init__(self, port, host="127.0.0.1", thumbprint=None, timeout=60,
                 ctx=None):
        self.host, self.port, self.timeout = host, port, timeout
        self.ctx = ctx or tls_context()
        self.token = None
        self.next_id = 1
        self.conn = None
        self.connect()
        self.thumbprint = thumbprint_of(self.conn.sock.getpeercert(binary_form=True))
        if thumbprint and thumbprint != self.thumbprint:
            raise ssl.SSLError("thumbprint %s, expected %s" % (self.thumbprint, thumbprint))

    def connect(self):
        self.conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                context=self.ctx)
        self.conn.connect()

    def close(self):
        if self.conn:
            self.conn.close()

    def post(self, body, headers=None):
        """Send @body (bytes) to /rpc; return (status, headers, body bytes)."""
        h = {"Content-Type": "application/json"}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        h.update(headers or {})
        self.conn.request("POST", "/rpc", body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data

    def call(self, method, **params):
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params:
            req["params"] = params
        self.next_id += 1
        status, _, data = self.post(json.dumps(req).encode())
        if status != 200:
            raise RpcError(-status, "HTTP %d: %r" % (status, data[:200]))
        resp = json.loads(data)
        if resp.get("id") != req["id"] or resp.get("jsonrpc") != "2.0":
            raise AssertionError("bad response envelope: %r" % resp)
        if "error" in resp:
            raise RpcError(resp["error"]["code"], resp["error"]["message"])
        return resp["result"]

    def login(self, password, user="root"):
        r = self.call("session.login", user=user, password=password)
        self.token = r["token"]
        return r


def wait_listening(port, timeout=60, host="127.0.0.1"):
    """Until a TLS handshake with the endpoint succeeds (QEMU's hostfwd
    accepts TCP before the guest listens, so only TLS proves it)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                with tls_context().wrap_socket(s) as t:
                    return thumbprint_of(t.getpeercert(binary_form=True))
        except (OSError, ssl.SSLError) as e:
            last = e
            time.sleep(1)
    raise TimeoutError("no TLS endpoint on port %d after %ds (%s)" % (port, timeout, last))
