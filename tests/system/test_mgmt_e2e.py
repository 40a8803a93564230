"""Issue 7 end to end: a remote administrator runs a VM on Keel.

The image boots in QEMU (AHCI boot stick with the config store, an NVMe
disk for the datastore, e1000 on user networking with a port forward to
443); first boot is completed on the serial console as an operator does;
then keelctl (client/) logs in, formats the datastore, uploads a test
guest kernel, creates and starts VMs, reads the guest's console, stops
and destroys one, reboots the host and finds the file and the inventory
intact (and the autostart VM running). The same flow is then driven with
curl against /rpc, an independent client.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time

from harness import BUILD, Qemu, free_port
from keel_rpc import wait_listening
from test_dcui import PASSWORD, Console, status, thumbprint, wizard

KEELCTL = os.path.join(BUILD, "keelctl")
GUEST = os.path.join(BUILD, "guests", "g_console.bin")
DS_BYTES = 64 << 20


def start_host(m, port, ds_img):
    m.start(disk="ahci", serial_in=True, extra=[
        "-nic", "user,model=e1000,hostfwd=tcp:127.0.0.1:%d-:443" % port,
        "-drive", "file=%s,format=raw,if=none,id=ds" % ds_img,
        "-device", "nvme,serial=dstore0,drive=ds"])


def first_boot(m, port):
    """Boot a blank host, complete the wizard (DHCP), return the
    thumbprint the console shows once the endpoint answers."""
    ds_img = os.path.join(m.dir, "datastore.img")
    with open(ds_img, "wb") as f:
        f.truncate(DS_BYTES)
    m.build_image("", serial_console=True)
    start_host(m, port, ds_img)
    c = Console(m)
    wizard(c, static=False)
    tp = thumbprint(status(c, timeout=90))
    served = wait_listening(port, timeout=90)
    if served != tp:
        m.fail("endpoint serves %s, console shows %s" % (served, tp), m.log())
    return tp, ds_img


class Keelctl:
    """keelctl as a script runs it: non-interactive, pinned thumbprint,
    password from the environment, its own HOME for the caches."""

    def __init__(self, m, port, tp):
        self.m = m
        self.home = os.path.join(m.dir, "home")
        os.makedirs(self.home, exist_ok=True)
        self.env = dict(os.environ, HOME=self.home,
                        KEELCTL_PASSWORD=PASSWORD.decode())
        self.base = [KEELCTL, "--host", "127.0.0.1", "--port", str(port),
                     "--thumbprint", tp]

    def run(self, *args, ok=True, stdin=b"", timeout=120):
        p = subprocess.run(self.base + list(args), env=self.env, input=stdin,
                           capture_output=True, timeout=timeout)
        if ok and p.returncode != 0:
            self.m.fail("keelctl %s exited %d: %s%s" % (
                " ".join(args), p.returncode, p.stdout.decode(errors="replace"),
                p.stderr.decode(errors="replace")), self.m.log())
        return p

    def json(self, *args):
        return json.loads(self.run("--json", *args).stdout)


def wait_console(kc, vm, pattern, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        out = kc.run("vm", "console", vm, "--no-follow").stdout.decode(errors="replace")
        if re.search(pattern, out, re.M):
            return out
        if time.monotonic() > deadline:
            kc.m.fail("VM %s console never showed %r; it shows:\n%s" % (vm, pattern, out),
                      kc.m.log())
        time.sleep(1)


def test_keelctl_end_to_end():
    port = free_port()
    with Qemu("mgmt-e2e") as m:
        tp, ds_img = first_boot(m, port)
        kc = Keelctl(m, port, tp)
        kc.run("login")
        info = kc.json("host", "info")
        if info.get("thumbprint") != tp:
            m.fail("host info thumbprint %r != console %s" % (info.get("thumbprint"), tp),
                   m.log())

        kc.run("datastore", "format", "nvme0n1", "ds1")
        kc.run("datastore", "upload", GUEST, "g_console.bin")
        files = kc.json("datastore", "ls")
        want = hashlib.sha256(open(GUEST, "rb").read()).hexdigest()
        if not any(f["name"] == "g_console.bin" and f["sha256"] == want
                   for f in files["files"]):
            m.fail("uploaded file not listed with its SHA-256: %r" % files, m.log())

        kc.run("vm", "create", "web1", "--vcpus", "1", "--memory", "16",
               "--kernel", "g_console.bin", "--cmdline", "hello-web1")
        kc.run("vm", "create", "db1", "--vcpus", "1", "--memory", "16",
               "--kernel", "g_console.bin", "--cmdline", "hello-db1", "--autostart")
        kc.run("vm", "start", "web1")
        wait_console(kc, "web1", r"hello-web1")
        kc.run("vm", "console", "web1", "--no-follow", stdin=b"ping me\n")
        wait_console(kc, "web1", r"PING ME")
        stats = kc.json("vm", "stats", "web1")
        if stats.get("state") != "running":
            m.fail("vm stats of a started VM: %r" % stats, m.log())
        kc.run("vm", "stop", "web1")
        if kc.json("vm", "info", "web1").get("state") != "stopped":
            m.fail("web1 not stopped", m.log())
        kc.run("vm", "destroy", "web1")
        if kc.run("vm", "info", "web1", ok=False).returncode == 0:
            m.fail("a destroyed VM still answers vm info", m.log())

        # Reboot: QEMU runs with -no-reboot, so the reboot ends it.
        kc.run("host", "reboot", "--force")
        m.proc.wait(timeout=60)
        mark = len(m.raw_serial())
        start_host(m, port, ds_img)
        # db1 autostarts once the datastore is mounted.
        Console(m, mark).wait(r"To manage this host, go to:",
                              r"1 virtual machine running, 1 registered", timeout=90)
        wait_listening(port, timeout=90)
        kc.run("login")
        names = [v["name"] for v in kc.json("vm", "ls")["vms"]]
        if names != ["db1"]:
            m.fail("inventory after reboot: %r" % names, m.log())
        if not any(f["name"] == "g_console.bin" and f["sha256"] == want
                   for f in kc.json("datastore", "ls")["files"]):
            m.fail("datastore file gone after reboot", m.log())
        wait_console(kc, "db1", r"hello-db1", timeout=90)
        out = os.path.join(m.dir, "back.bin")
        kc.run("datastore", "download", "g_console.bin", out)
        if open(out, "rb").read() != open(GUEST, "rb").read():
            m.fail("downloaded file differs from the upload", m.log())


class Curl:
    """JSON-RPC with curl: the thumbprint is checked with openssl."""

    def __init__(self, m, port):
        self.m, self.port, self.token = m, port, None
        self.next_id = 1

    def post(self, body):
        """POST @body (text) to /rpc; the parsed answer."""
        path = os.path.join(self.m.dir, "req.json")
        with open(path, "w") as f:
            f.write(body)
        cmd = ["curl", "-sS", "-k", "--max-time", "120", "-H", "Content-Type: application/json",
               "--data-binary", "@" + path, "https://127.0.0.1:%d/rpc" % self.port]
        if self.token:
            cmd[1:1] = ["-H", "Authorization: Bearer " + self.token]
        p = subprocess.run(cmd, capture_output=True, timeout=150)
        if p.returncode != 0:
            self.m.fail("curl failed: %s" % p.stderr.decode(), self.m.log())
        return json.loads(p.stdout)

    def request(self, method, **params):
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.next_id += 1
        return self.post(json.dumps(body))

    def call(self, method, **params):
        resp = self.request(method, **params)
        if "error" in resp:
            self.m.fail("%s: error %r" % (method, resp["error"]), self.m.log())
        return resp["result"]

    def refused(self, code, method, **params):
        """The call fails with @code and a message a person can read."""
        err = self.request(method, **params).get("error", {})
        if err.get("code") != code or len(err.get("message", "")) < 10:
            self.m.fail("%s %r: expected error %d, got %r" % (method, params, code, err),
                        self.m.log())
        return err["message"]


def test_curl_end_to_end():
    port = free_port()
    with Qemu("mgmt-curl") as m:
        tp, ds_img = first_boot(m, port)
        p = subprocess.run(
            "openssl s_client -connect 127.0.0.1:%d </dev/null 2>/dev/null | "
            "openssl x509 -noout -fingerprint -sha256" % port,
            shell=True, capture_output=True, text=True, timeout=60)
        if tp not in p.stdout:
            m.fail("openssl sees %r, console shows %s" % (p.stdout, tp), m.log())
        c = Curl(m, port)
        c.token = c.call("session.login", user="root", password=PASSWORD.decode())["token"]
        if not any(d["name"] == "nvme0n1" and d["formattable"]
                   for d in c.call("datastore.disks")["disks"]):
            m.fail("nvme0n1 not offered for formatting", m.log())
        c.call("datastore.format", disk="nvme0n1", label="ds1")
        # Bad input gets its JSON-RPC error; the endpoint keeps serving.
        err = c.post('{"jsonrpc":"2.0","id":1,"method":"host.info",')
        if err.get("error", {}).get("code") != -32700:
            m.fail("truncated JSON: %r" % err, m.log())
        c.refused(-32601, "vm.explode", name="x")
        c.refused(-32602, "vm.create", name="bad", vcpus=1, memory_mb="lots",
                  kernel="g.bin")
        c.refused(-32010, "vm.start", name="no-such-vm")
        data = open(GUEST, "rb").read()
        c.call("datastore.upload", name="g.bin", offset=0, size=len(data),
               sha256=hashlib.sha256(data).hexdigest(),
               data=base64.b64encode(data).decode(), done=True)
        c.call("vm.create", name="c1", vcpus=1, memory_mb=16, kernel="g.bin",
               cmdline="from-curl")
        c.call("vm.start", name="c1")
        deadline = time.monotonic() + 60
        text = ""
        while "from-curl" not in text:
            r = c.call("vm.console.read", name="c1")
            text += r["data"]
            if time.monotonic() > deadline:
                m.fail("curl: console never showed the banner: %r" % text, m.log())
            time.sleep(1)
        c.call("vm.stop", name="c1")
        c.call("vm.destroy", name="c1")
        c.call("session.logout")
