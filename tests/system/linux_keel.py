"""The issue-8 Linux guest run by Keel, through the management endpoint.

A Keel host boots in QEMU (SVM/NPT) or Bochs (VT-x/EPT) set up by
keel.cfg (kickstart: no wizard), with a blank NVMe disk (IDE under Bochs)
for the datastore and the endpoint on a forwarded port; `KeelHost` logs in, formats the datastore, uploads
build/linux/{vmlinuz,initrd.img} and makes virtual disks; `KeelHost.linux_vm`
creates and starts a Linux VM and returns a `VmConsole` (a
linux_guest.Console over vm.console.read/write) to wait for the init's
lines and run shell commands. Used by tests/system/test_linux.py and
bench/linux.py.
"""
import base64
import hashlib
import os
import re
import time

from harness import Bochs, Qemu, free_port
from keel_rpc import Rpc, wait_listening
from linux_guest import Console, ensure_guest

PASSWORD = "Passw0rd!"
CFG = ('vmaccepteula\nrootpw "%s"\nnetwork --bootproto=dhcp --hostname=keel-linux.lab\n'
       % PASSWORD)
# Bochs 2.7 (docs/bochsrc): the 82540EM on user networking, and the
# datastore as the secondary channel's IDE disk (drivers/ata.c: Bochs
# has no NVMe or AHCI, and Keel keeps datastores off USB disks).
# ips: Bochs' emulated clock (and so the TSC and every timer) advances
# one second per `ips` instructions. Its default, 4 M, is some 25 times
# slower than Bochs executes here, so Keel's clock would run 25 times
# faster than the wall's: the endpoint's 10 s TLS handshake limit passes
# before a handshake can finish, and a Linux guest's 4 ms tick would come
# every 16 k instructions. 100 M keeps Keel's seconds near wall seconds
# (a bit longer, which only makes timeouts lenient).
BOCHS_DEVICES = """plugin_ctrl: e1000=1
cpu: ips=100000000
e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp, script={slirp}
ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
ata1-master: type=disk, path={ds}, mode=flat
"""


def pbkdf2_hash(password, iterations):
    """Keel's "$pbkdf2-sha256$N$salt$hash" (store/store_pw.h) for
    keel.cfg's rootpw --iscrypted."""
    salt = os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
    return "$pbkdf2-sha256$%d$%s$%s" % (iterations, b64(salt), b64(dk))


# Under Bochs (some 100 M instructions a second) the 600,000 iterations
# Keel gives a plain rootpw cost over a minute at setup and again at each
# login; a pre-hashed password with the 1,000 Keel accepts costs nothing.
CFG_BOCHS = ('vmaccepteula\nrootpw --iscrypted "%s"\n'
             'network --bootproto=dhcp --hostname=keel-linux.lab\n'
             % pbkdf2_hash(PASSWORD, 1000))
# The guest's console is the VM's COM1 (16550 at 0x3f8: ttyS0).
CMDLINE = "console=ttyS0 panic=-1"


class VmConsole(Console):
    """A Keel VM's COM1 through vm.console.read/write."""

    def __init__(self, rpc, name, cursor=0):
        super().__init__()
        self.rpc, self.name, self.cursor = rpc, name, cursor
        self.host_log = None  # KeelHost.log, for fail()
        self._state_at = 0
        self._alive = True

    def _read(self):
        r = self.rpc.call("vm.console.read", name=self.name, cursor=self.cursor,
                          encoding="base64")
        if r.get("lost"):
            self.buf += b"\n[%d console bytes lost]\n" % r["lost"]
        self.cursor = r["cursor"]
        return base64.b64decode(r["data"])

    def _write(self, data):
        while data:
            n = self.rpc.call("vm.console.write", name=self.name,
                              data=base64.b64encode(data[:4096]).decode(),
                              encoding="base64")["written"]
            data = data[n:]
            if data:
                time.sleep(0.1)

    # The endpoint is polled, not pushed; each poll costs the host a
    # request (benches poll less, not to load the machine they measure).
    poll_interval = 0.2

    def poll(self):
        got = super().poll()
        if not got:
            time.sleep(self.poll_interval)
        return got

    def alive(self):
        """Not stopped, asked at most every 2 s. A guest's reset passes
        through "stopping" and "starting" (mgmt/vmm.c; seconds under
        Bochs): that VM is rebooting, not gone."""
        if time.monotonic() - self._state_at > 2:
            self._state_at = time.monotonic()
            self._alive = self.state() != "stopped"
        return self._alive

    def state(self):
        return self.rpc.call("vm.info", name=self.name)["state"]

    def fail(self, why):
        """Console.fail, plus why the VM stopped and the host's own lines
        about it (a fault logs the vCPU's registers and last exits)."""
        try:
            info = self.info()
            why += "\n  vm.info: %s, stop reason: %s" % (info["state"],
                                                       info.get("stop_reason") or "-")
        except Exception as e:  # the endpoint may be what failed
            why += "\n  vm.info failed: %s" % e
        if self.host_log:
            lines = [l for l in self.host_log().splitlines() if l.startswith("vm ")]
            why += "\n  host log (vm lines):\n" + "\n".join("    | " + l for l in lines[-30:])
        super().fail(why)

    def info(self):
        return self.rpc.call("vm.info", name=self.name)


class KeelHost:
    """A Keel host with its endpoint logged in and a datastore holding the
    Linux guest. In QEMU (SVM/NPT): AHCI boot disk, NVMe datastore, e1000
    with a port forward. In Bochs (VT-x/EPT, bochs=True): IDE boot disk,
    the datastore on the secondary IDE channel, Bochs' e1000 with its
    slirp port forward (hostfwd). Use as a context manager."""

    def __init__(self, name, mem=2048, cpus=2, icount=False, ds_mb=256, bochs=False):
        self.vmlinuz, self.initrd, self.release = ensure_guest()
        self.m = Bochs(name) if bochs else Qemu(name)
        self.port = free_port()
        self.cpus = cpus
        m = self.m
        cfg = os.path.join(m.dir, "keel.cfg")
        with open(cfg, "w") as f:
            f.write(CFG_BOCHS if bochs else CFG)
        ds = os.path.join(m.dir, "ds.img")
        with open(ds, "wb") as f:
            f.truncate(ds_mb << 20)
        m.build_image("", files={"keel.cfg": cfg})
        if bochs:
            slirp = os.path.join(m.dir, "slirp.conf")
            with open(slirp, "w") as f:
                f.write("# slirp config\nhostfwd = tcp:127.0.0.1:%d-:443\n" % self.port)
            m.start(mem=mem, cpus=cpus, extra=BOCHS_DEVICES.format(ds=ds, slirp=slirp))
            return
        extra = ["-smp", str(cpus),
                 "-nic", "user,model=e1000,hostfwd=tcp:127.0.0.1:%d-:443" % self.port,
                 "-drive", "file=%s,format=raw,if=none,id=ds" % ds,
                 "-device", "nvme,serial=ds0,drive=ds"]
        if icount:
            extra += ["-icount", "shift=0"]
        m.start(firmware="bios", disk="ahci", mem=mem, extra=extra)

    def __enter__(self):
        try:
            tp = wait_listening(self.port, 300)
            self.rpc = Rpc(self.port, thumbprint=tp, timeout=300)
            self.rpc.login(PASSWORD)
            disk = [d for d in self.rpc.call("datastore.disks")["disks"] if d["formattable"]][0]
            self.rpc.call("datastore.format", disk=disk["name"], label="vms")
            self.upload("vmlinuz", self.vmlinuz)
            self.upload("initrd.img", self.initrd)
        except BaseException:
            self.m.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.m.__exit__(*exc)

    def log(self):
        return self.m.log()

    def fail(self, why):
        self.m.fail(why, self.m.log())

    def upload(self, name, path):
        with open(path, "rb") as f:
            data = f.read()
        sha = hashlib.sha256(data).hexdigest()
        off = 0
        while True:
            chunk = data[off:off + (1 << 20)]
            done = off + len(chunk) == len(data)
            res = self.rpc.call("datastore.upload", name=name, offset=off, size=len(data),
                                sha256=sha, data=base64.b64encode(chunk).decode(), done=done)
            off = res["received"]
            if done:
                return

    def disk(self, name, size_mb=64):
        """An empty virtual disk in the datastore."""
        self.rpc.call("datastore.create", name=name, size_mb=size_mb)

    def linux_vm(self, name, vcpus=1, memory_mb=256, disks=(), cmdline=CMDLINE, start=True,
                 cmd_timeout=None):
        """Create (and start) a VM booting the Debian kernel and initrd;
        returns its VmConsole."""
        params = dict(name=name, vcpus=vcpus, memory_mb=memory_mb, kernel="vmlinuz",
                      initrd="initrd.img", cmdline=cmdline)
        if disks:
            params["disks"] = list(disks)
        self.rpc.call("vm.create", **params)
        if start:
            st = self.rpc.call("vm.start", name=name)["state"]
            assert st == "running", "vm.start %s: state %s" % (name, st)
        con = VmConsole(self.rpc, name)
        con.host_log = self.log
        # Nested emulation: a shell command takes far longer than on hardware.
        con.cmd_timeout = cmd_timeout or (900 if isinstance(self.m, Bochs) else 300)
        return con

    def log_mark(self):
        return len(self.m.log())

    def wait_log(self, pattern, timeout, start=0):
        """Wait for a line in the host's own log (its serial port), after
        character @start (a log_mark())."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.m.log()[start:], re.M):
            if time.monotonic() > deadline:
                self.fail("the host log never showed /%s/" % pattern)
            time.sleep(0.5)
