"""A stand-in Keel management endpoint for keelctl's tests: real TLS
(Python's ssl, i.e. OpenSSL) with a throwaway certificate, HTTP/1.1
keep-alive, JSON-RPC 2.0 on POST /rpc, and the methods keelctl calls
modelled on docs/api.md, kept in memory. It records every call so a
test can check what keelctl sent, and can break connections on purpose.

It is not the endpoint: the end-to-end system test drives the real one.
"""
import base64
import hashlib
import http.server
import json
import os
import socket
import ssl
import subprocess
import threading

AUTH_REQUIRED, LOGIN_FAILED = -32001, -32002
NOT_FOUND, EXISTS, BAD_STATE, CHECKSUM = -32010, -32011, -32012, -32015
NO_DATASTORE = -32016
INVALID_PARAMS, METHOD_NOT_FOUND = -32602, -32601


def make_cert(directory, name="cert"):
    """A self-signed ECDSA P-256 certificate like Keel's; returns
    (cert path, key path, thumbprint as the console shows it)."""
    crt = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=keel-test"],
                   check=True, capture_output=True)
    out = subprocess.run(["openssl", "x509", "-in", crt, "-noout",
                          "-fingerprint", "-sha256"], check=True,
                         capture_output=True, text=True).stdout
    return crt, key, out.strip().split("=", 1)[1]


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        keel = self.server.keel
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        keel.requests += 1
        if self.path != "/rpc":
            self.send_error(404)
            return
        req = json.loads(body)
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        method, params = req.get("method"), req.get("params") or {}
        with keel.lock:
            keel.calls.append((method, params))
            drop = keel.should_drop(method, params)
        if drop == "before":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            with keel.lock:
                result = keel.dispatch(method, params, token)
            resp = {"jsonrpc": "2.0", "id": req["id"], "result": result}
        except RpcError as e:
            resp = {"jsonrpc": "2.0", "id": req["id"],
                    "error": {"code": e.code, "message": e.message}}
        if drop == "after":  # it ran, but the answer never arrives
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        out = json.dumps(resp).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class FakeKeel:
    """with FakeKeel(tmpdir) as k: k.port, k.thumbprint, k.calls ..."""

    def __init__(self, directory, password="secret", cert=None):
        self.password = password
        self.crt, self.key, self.thumbprint = cert or make_cert(directory)
        self.lock = threading.Lock()
        self.calls, self.requests, self.logins = [], 0, 0
        self.tokens = set()
        self.files, self.vms, self.console = {}, {}, {}
        self.console_writes = []
        self.mounted = True
        self.log = ["line %d" % i for i in range(10)]
        self.drops = []  # [(method, nth call, "before"|"after")]
        self.corrupt_download = self.corrupt_upload = False
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.crt, self.key)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.httpd.keel = self
        self.port = self.httpd.server_address[1]

    def __enter__(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def methods(self):
        return [m for m, _ in self.calls]

    def should_drop(self, method, params):
        n = sum(1 for m, _ in self.calls if m == method)
        for d in self.drops:
            if d[0] == method and d[1] == n:
                return d[2]
        return None

    # ---- methods -----------------------------------------------------
    def dispatch(self, method, params, token):
        if method == "session.login":
            self.logins += 1
            if params.get("user") != "root" or params.get("password") != self.password:
                raise RpcError(LOGIN_FAILED, "wrong user name or password")
            tok = "tok%d" % self.logins
            self.tokens.add(tok)
            return {"token": tok, "expires_in": 1800}
        if token not in self.tokens:
            raise RpcError(AUTH_REQUIRED, "log in first (session.login)")
        fn = getattr(self, "m_" + method.replace(".", "_"), None)
        if not fn:
            raise RpcError(METHOD_NOT_FOUND, "no method %s" % method)
        return fn(params, token)

    def m_session_logout(self, p, token):
        self.tokens.discard(token)
        return {}

    def m_host_info(self, p, t):
        return {"product": "Keel", "version": "0.1.0", "hostname": "esx-fake",
                "cpu": {"model": "QEMU Virtual CPU", "cores": 2,
                        "backend": "vmx", "backend_name": "VT-x",
                        "stage2": "EPT", "tsc_hz": 2000000000},
                "memory": {"total_bytes": 1 << 30, "free_bytes": 600 << 20},
                "uptime_ms": 3723000, "thumbprint": self.thumbprint,
                "lockdown": False}

    def m_host_logs(self, p, t):
        cur = p.get("cursor")
        if cur is None:
            cur = max(0, len(self.log) - p.get("max", 100))
        lines = [{"seq": i, "time_us": i * 1500000, "level": "info",
                  "text": self.log[i]} for i in range(cur, len(self.log))]
        return {"lines": lines, "cursor": len(self.log), "lost": 0,
                "first": 0}

    # The datastore as mgmt/rpc_ds.c answers (branch ds).
    def _info(self, name):
        f = self.files[name]
        return {"name": name, "size": f["size"], "received": len(f["data"]),
                "complete": f["complete"], "state": f.get("state", "complete"
                                                           if f["complete"] else "uploading"),
                "sha256": f["sha256"], "verifying": False, "why": None}

    def m_datastore_list(self, p, t):
        if not self.mounted:
            return {"mounted": False, "disk": None, "label": None, "uuid": None,
                    "capacity_bytes": None, "free_bytes": None,
                    "files_max": None, "files": []}
        return {"mounted": True, "disk": "nvme0n1", "label": "ds1",
                "uuid": "12345678-1234-1234-1234-123456789abc",
                "capacity_bytes": 1 << 30, "free_bytes": 900 << 20,
                "files_max": 1024,
                "files": [self._info(n) for n in sorted(self.files)]}

    def m_datastore_disks(self, p, t):
        return {"disks": [
            {"name": "sda", "size": 32 << 20, "sector_size": 512,
             "model": "QEMU HARDDISK", "formattable": False, "with_force": False,
             "datastore": False, "mounted": False, "label": None,
             "why": "the boot disk"},
            {"name": "nvme0n1", "size": 1 << 30, "sector_size": 512,
             "model": None, "formattable": not self.mounted,
             "with_force": True, "datastore": self.mounted,
             "mounted": self.mounted, "label": "ds1" if self.mounted else None,
             "why": None}]}

    def m_datastore_format(self, p, t):
        if p["disk"] != "nvme0n1":
            raise RpcError(NOT_FOUND, "datastore.format %s: no such disk" % p["disk"])
        if self.mounted and not p.get("force"):
            raise RpcError(BAD_STATE, "datastore.format nvme0n1: refused: "
                           "it holds a datastore (force erases it)")
        self.mounted, self.files = True, {}
        return {k: v for k, v in self.m_datastore_list({}, t).items() if k != "files"}

    def _file(self, name):
        if not self.mounted:
            raise RpcError(NO_DATASTORE, "no datastore is mounted")
        f = self.files.get(name)
        if not f:
            raise RpcError(NOT_FOUND, "no file %s on the datastore" % name)
        return f

    def m_datastore_upload(self, p, t):
        name, off = p["name"], p["offset"]
        data = base64.b64decode(p["data"], validate=True)
        if off == 0:
            old = self.files.get(name)
            # Like ds_upload_begin: only an upload in progress or a
            # complete file with the same size and digest is kept.
            same = (old and old.get("state") != "failed"
                    and old["size"] == p["size"] and old["sha256"] == p["sha256"])
            if old and not same and not p.get("overwrite"):
                raise RpcError(EXISTS, "datastore.upload %s: taken" % name)
            if not old or (not same and p.get("overwrite")):
                self.files[name] = {"size": p["size"], "sha256": p["sha256"],
                                    "data": bytearray(), "complete": False}
        f = self._file(name)
        if f.get("state") == "failed":
            raise RpcError(BAD_STATE, "the file is failed: delete it")
        if off > len(f["data"]):
            raise RpcError(INVALID_PARAMS, "params.offset: send the next "
                           "chunk at offset %d" % len(f["data"]))
        new = data[len(f["data"]) - off:]  # bytes stored already are skipped
        if self.corrupt_upload and new:
            new = bytes([new[0] ^ 1]) + new[1:]
            self.corrupt_upload = False
        f["data"] += new
        if p.get("done") and not f["complete"]:
            if len(f["data"]) != f["size"]:
                raise RpcError(BAD_STATE, "done, but not all bytes arrived")
            if hashlib.sha256(f["data"]).hexdigest() != f["sha256"]:
                f["state"] = "failed"
                raise RpcError(CHECKSUM, "SHA-256 mismatch: delete it and "
                               "upload it again")
            f["complete"] = True
        return self._info(name)

    def m_datastore_upload_status(self, p, t):
        self._file(p["name"])
        return self._info(p["name"])

    def m_datastore_download(self, p, t):
        f = self._file(p["name"])
        off, n = p["offset"], p["length"]
        chunk = bytes(f["data"][off:off + n])
        if self.corrupt_download and off == 0 and chunk:
            chunk = bytes([chunk[0] ^ 1]) + chunk[1:]
        return {"name": p["name"], "offset": off, "length": len(chunk),
                "data": base64.b64encode(chunk).decode(), "eof":
                off + len(chunk) >= f["size"], "size": f["size"],
                "sha256": f["sha256"]}

    def m_datastore_create(self, p, t):
        if not self.mounted:
            raise RpcError(NO_DATASTORE, "no datastore is mounted")
        if p["name"] in self.files:
            raise RpcError(EXISTS, "datastore.create %s: the name is taken" % p["name"])
        self.files[p["name"]] = {"size": p["size_mb"] << 20, "sha256": None,
                                 "data": bytearray(), "complete": True}
        return dict(self._info(p["name"]), disk=True, in_use=False)

    def m_datastore_delete(self, p, t):
        self._file(p["name"])
        del self.files[p["name"]]
        return {}

    def _vm(self, name):
        vm = self.vms.get(name)
        if not vm:
            raise RpcError(NOT_FOUND, "no VM named %s" % name)
        return vm

    def m_vm_create(self, p, t):
        if p["name"] in self.vms:
            raise RpcError(EXISTS, "a VM named %s exists" % p["name"])
        self._file(p["kernel"])
        self.vms[p["name"]] = dict(p, state="stopped", run_ms=0,
                                   vcpus=p.get("vcpus", 1),
                                   autostart=p.get("autostart", False))
        self.console[p["name"]] = ""
        return {"name": p["name"]}

    def m_vm_list(self, p, t):
        return {"vms": [{"name": v["name"], "state": v["state"],
                         "vcpus": v["vcpus"], "memory_mb": v["memory_mb"],
                         "autostart": v["autostart"], "run_ms": v["run_ms"],
                         "kernel": v["kernel"]}
                        for v in self.vms.values()]}

    def m_vm_info(self, p, t):
        return dict(self._vm(p["name"]))

    def m_vm_start(self, p, t):
        vm = self._vm(p["name"])
        if vm["state"] == "running":
            raise RpcError(BAD_STATE, "%s is already running" % p["name"])
        vm["state"] = "running"
        vm["run_ms"] = 3723000
        self.console[p["name"]] += "Booting fake guest\r\nlogin: "
        return {"name": p["name"], "state": "running"}

    def m_vm_stop(self, p, t):
        self._vm(p["name"])["state"] = "stopped"
        return {"name": p["name"], "state": "stopped"}

    def m_vm_destroy(self, p, t):
        vm = self._vm(p["name"])
        if vm["state"] == "running":
            raise RpcError(BAD_STATE, "stop %s first" % p["name"])
        del self.vms[p["name"]]
        return {"name": p["name"], "state": "destroyed"}

    def m_vm_stats(self, p, t):
        self._vm(p["name"])
        return {"name": p["name"], "state": "running", "vcpus": 1,
                "memory_mb": 64, "autostart": False, "run_ms": 65000,
                "starts": 1, "cpu_ms": 900, "exits_total": 124,
                "exits": {"io": 120, "cpuid": 4},
                "memory": {"guest_bytes": 64 << 20,
                           "guest_backed_bytes": 64 << 20,
                           "overhead_bytes": 40960},
                "console": {"cursor": 0, "tx_bytes": 0, "rx_bytes": 0}}

    # Console data as docs/api.md: "text" by default, or "base64";
    # at most 64 bytes an answer here, so reading takes several calls.
    def m_vm_console_read(self, p, t):
        self._vm(p["name"])
        buf = self.console[p["name"]].encode()
        cur = p.get("cursor", 0)
        chunk = buf[cur:cur + 64]
        b64 = p.get("encoding") == "base64"
        return {"data": base64.b64encode(chunk).decode() if b64
                else chunk.decode(errors="replace"),
                "encoding": "base64" if b64 else "text",
                "cursor": cur + len(chunk), "lost": 0}

    def m_vm_console_write(self, p, t):
        self._vm(p["name"])
        data = p["data"]
        if p.get("encoding") == "base64":
            data = base64.b64decode(data).decode(errors="replace")
        self.console[p["name"]] += "echo:" + data
        self.console_writes.append(data)
        return {"written": len(data.encode())}
