"""The stock Debian Linux guest of issue 8 (tools/linux_guest.sh), and a
way to talk to its busybox shell over a console.

Used by tests/system/test_linux*.py and bench/linux.py. The guest's /init
prints (docs/linux-guest.md):

    KEEL-GUEST-INIT tsc=N uptime=S idle=S
    KEEL-GUEST uname=R cpus=N memtotal_kb=N clocksource=S
    KEEL-GUEST modules=ok            (or the names that failed to load)
    KEEL-GUEST disks=vda ...
    KEEL-GUEST-READY                 then the prompt 'keel-guest# '

Console: a `Console` wraps a byte transport (QEMU's stdio in `DirectQemu`
here, Keel's vm.console.read/write in linux_keel.VmConsole) given as
`_read()` (new bytes) and `_write(data)`; `boot_info()` waits for the
init's lines, `run(cmd)` types one command line and returns its output
and exit status, `send(line)` types a line whose answer is not awaited
(`reboot -f`, `poweroff -f`).
"""
import os
import re
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
LINUX = os.path.join(BUILD, "linux")
VMLINUZ = os.path.join(LINUX, "vmlinuz")
INITRD = os.path.join(LINUX, "initrd.img")

# Empty fields rather than no marker if tsc or /proc/uptime ever fail:
# reaching init must show as such.
INIT_MARKER = r"KEEL-GUEST-INIT tsc=(\d*) uptime=([\d.]*) idle=([\d.]*)"
INFO = r"KEEL-GUEST uname=(\S+) cpus=(\d+) memtotal_kb=(\d+) clocksource=(\S*)"
READY = r"KEEL-GUEST-READY"
PROMPT = "keel-guest# "
# Kernel messages printed on the same console while a command runs.
KMSG = re.compile(r"^\[\s*\d+\.\d+\] .*$\n?", re.M)
ANSI = re.compile(r"\x1b(\[[0-9;=?]*[A-Za-z]|[()][A-Z0-9]|[=>c])")


class GuestError(AssertionError):
    pass


def ensure_guest():
    """Build (or find cached) build/linux/{vmlinuz,initrd.img}; returns
    (vmlinuz, initrd, kernel release)."""
    p = subprocess.run([os.path.join(ROOT, "tools", "linux_guest.sh")],
                       capture_output=True, text=True)
    if p.returncode:
        raise GuestError("tools/linux_guest.sh failed:\n" + p.stdout + p.stderr)
    with open(os.path.join(LINUX, "version")) as f:
        return VMLINUZ, INITRD, f.read().strip()


class Console:
    """Line-oriented dialogue with the guest shell over a byte stream.
    Subclasses provide _read() -> bytes (new output, may be empty) and
    _write(bytes), and may override alive()."""

    # Seconds a shell command may take (raise it for slow platforms).
    cmd_timeout = 60

    def __init__(self):
        self.buf = b""
        self.seq = 0

    def _read(self):
        raise NotImplementedError

    def _write(self, data):
        raise NotImplementedError

    def alive(self):
        return True

    def text(self, start=0):
        t = self.buf[start:].decode("utf-8", "replace").replace("\r", "")
        return ANSI.sub("", t)

    def send(self, line):
        """Type @line and Enter; nothing is awaited."""
        self._write(line.encode() + b"\n")

    def poll(self):
        d = self._read()
        if d:
            self.buf += d
        return bool(d)

    def wait_for(self, pattern, timeout, start=0):
        """Wait until @pattern (regex) appears in the output after byte
        @start; returns the match. Fails with the tail of the output."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text(start))
            if m:
                return m
            if not self.alive():
                self.poll()
                m = rx.search(self.text(start))
                if m:
                    return m
                self.fail("the VM stopped before printing /%s/" % pattern)
            if time.monotonic() > deadline:
                self.fail("timed out after %ds waiting for /%s/" % (timeout, pattern))
            if not self.poll():
                time.sleep(0.05)

    def fail(self, why):
        tail = "\n".join("    | " + l for l in self.text().splitlines()[-40:])
        raise GuestError("%s\n  console:\n%s" % (why, tail))

    def boot_info(self, timeout, start=0):
        """Wait for the init's lines; returns a dict uname, cpus, memtotal_kb,
        clocksource, tsc (at init), uptime and idle (s, /proc/uptime),
        modules, disks."""
        tsc, up, idle = self.wait_for(INIT_MARKER, timeout, start).groups()
        m = self.wait_for(INFO, timeout, start)
        mods = self.wait_for(r"KEEL-GUEST modules=(.*)$", timeout, start).group(1).strip()
        disks = self.wait_for(r"KEEL-GUEST disks=(.*)$", timeout, start).group(1).split()
        self.wait_for(READY, timeout, start)
        return {"uname": m.group(1), "cpus": int(m.group(2)),
                "memtotal_kb": int(m.group(3)), "clocksource": m.group(4),
                "tsc": int(tsc) if tsc else None, "uptime": float(up) if up else None,
                "idle": float(idle) if idle else None,
                "modules": mods, "disks": disks}

    def run(self, cmd, timeout=None, check=True):
        """Type @cmd at the shell prompt; returns (output, exit status).
        The begin/end markers are written as $((N)) so the terminal's echo
        of the typed line never matches them, only the shell's output does."""
        timeout = timeout or self.cmd_timeout
        self.seq += 1
        n = self.seq
        start = len(self.buf)
        line = 'echo "@@B$((%d))@@"; %s; echo "@@E$((%d))@@ rc=$?"\n' % (n, cmd, n)
        self._write(line.encode())
        m = self.wait_for(r"@@B%d@@\n((?s:.*?))@@E%d@@ rc=(\d+)" % (n, n), timeout, start)
        out, rc = KMSG.sub("", m.group(1)), int(m.group(2))
        if check and rc != 0:
            self.fail("'%s' exited with %d:\n%s" % (cmd, rc, out))
        return out, rc


class DirectQemu(Console):
    """The kernel and initrd booted by QEMU itself (no Keel): the baseline.
    COM1 is the console (stdio); virtio-blk on @disk, virtio-console to a
    file, virtio-rng. Use as a context manager."""

    def __init__(self, workdir, mem=256, cpus=1, disk=None, icount=False,
                 reboot=True, cmdline="console=ttyS0", extra=()):
        super().__init__()
        ensure_guest()
        self.workdir = workdir
        self.hvc_log = os.path.join(workdir, "hvc0.log")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", str(mem),
               "-smp", str(cpus), "-display", "none", "-nic", "none",
               "-serial", "stdio", "-monitor", "none",
               "-kernel", VMLINUZ, "-initrd", INITRD, "-append", cmdline,
               "-device", "virtio-serial-pci,disable-legacy=on",
               "-chardev", "file,id=hvc,path=" + self.hvc_log,
               "-device", "virtconsole,chardev=hvc",
               "-device", "virtio-rng-pci,disable-legacy=on"]
        if disk:
            cmd += ["-drive", "file=%s,format=raw,if=none,id=d0,cache=writeback" % disk,
                    "-device", "virtio-blk-pci,drive=d0,disable-legacy=on"]
        if icount:
            cmd += ["-icount", "shift=0"]
        if not reboot:
            cmd += ["-no-reboot"]
        cmd += list(extra)
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._chunks = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self):
        fd = self.proc.stdout.fileno()
        while True:
            d = os.read(fd, 65536)
            if not d:
                break
            with self._lock:
                self._chunks.append(d)

    def _read(self):
        with self._lock:
            d = b"".join(self._chunks)
            self._chunks = []
        return d

    def _write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def alive(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout):
        """Wait for QEMU to end by itself (guest power-off or, with
        reboot=False, reboot); returns its exit code."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail("QEMU still running %ds later" % timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(5)
        with open(os.path.join(self.workdir, "console.log"), "wb") as f:
            f.write(self.buf + self._read())


# --- Checks shared by the direct (baseline) and the Keel tests ----------

MEM_RESERVED_MB = 64


def check_boot_info(info, release, cpus, mem_mb):
    """What the guest's init reported matches the VM's configuration: the
    packaged kernel release, @cpus online CPUs, MemTotal under @mem_mb by
    at most MEM_RESERVED_MB (the kernel keeps its image, page structures
    and firmware-reserved pages out of it: about 50 MiB of this Debian
    kernel, whatever the RAM), every module loaded and the virtio disk
    present."""
    assert info["uname"] == release, "uname -r is %s, not %s" % (info["uname"], release)
    assert info["cpus"] == cpus, "%d CPUs online, the VM has %d" % (info["cpus"], cpus)
    mem_kb = mem_mb * 1024
    assert mem_kb - MEM_RESERVED_MB * 1024 <= info["memtotal_kb"] <= mem_kb, \
        "MemTotal %d kB for a %d MiB VM" % (info["memtotal_kb"], mem_mb)
    assert info["modules"] == "ok", "modules failed to load:%s" % info["modules"]


def check_cpuinfo(con, cpus):
    """/proc/cpuinfo lists @cpus processors, all online."""
    out, _ = con.run("grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online")
    m = re.search(r"^(\d+)\s*\n([\d,-]+)\s*$", out, re.M)
    if not m:
        con.fail("no processor count and online list in %r" % out)
    n, online = m.groups()
    assert int(n) == cpus, "/proc/cpuinfo lists %s processors, the VM has %d" % (n, cpus)
    want = "0" if cpus == 1 else "0-%d" % (cpus - 1)
    assert online == want, "online CPUs are %s, want %s" % (online, want)


def clock_sample(con):
    """(host time before, guest uptime s, host time after, clocksource):
    the guest read its clock between the two host times."""
    t0 = time.monotonic()
    out, _ = con.run("cat /proc/uptime "
                     "/sys/devices/system/clocksource/clocksource0/current_clocksource")
    t1 = time.monotonic()
    words = out.split()
    return t0, float(words[0]), t1, words[2]


def check_clock(first, second):
    """Between two clock_samples the guest's clock advanced as the host's
    did: its uptime difference lies inside the bracket the samples' host
    times allow (10 ms: /proc/uptime's resolution); and TSC is its
    clocksource ("tsc-early" while the kernel's refinement against the PM
    timer has not finished: that needs a timer read under 31 us, which
    nested emulation does not give)."""
    guest = second[1] - first[1]
    low, high = second[0] - first[2] - 0.01, second[2] - first[0] + 0.01
    assert low <= guest <= high, \
        "guest clock advanced %.2f s while the host's advanced %.2f-%.2f s" % (guest, low, high)
    assert second[3] in ("tsc", "tsc-early"), "clocksource is %s, not TSC" % second[3]


# A file of random bytes on an ext4 (ext2 layout, busybox mke2fs) file
# system on the virtio disk: written, synced, hashed.
DISK_FILE = "/mnt/keel-check"


def disk_write(con, dev="/dev/vda", kib=512):
    """Format @dev, write @kib KiB from /dev/urandom, sync; returns its
    sha256 as the guest computed it."""
    slow = 2 * con.cmd_timeout
    con.run("mke2fs -q %s" % dev, timeout=slow)
    con.run("mount -t ext4 %s /mnt" % dev)
    con.run("dd if=/dev/urandom of=%s bs=1024 count=%d 2>/dev/null && sync" % (DISK_FILE, kib),
            timeout=slow)
    out, _ = con.run("sha256sum %s" % DISK_FILE, timeout=slow)
    return out.split()[0]


def disk_read(con, dev="/dev/vda"):
    """Mount @dev (after a reset or reboot) and return the file's sha256."""
    con.run("mount -t ext4 %s /mnt" % dev)
    out, _ = con.run("sha256sum %s" % DISK_FILE, timeout=2 * con.cmd_timeout)
    return out.split()[0]


def blk_throughput(con, dev="/dev/vda", mib=32):
    """virtio-blk throughput as the guest sees it (bench): @mib MiB written
    with dd and fsync'd, then read back with O_DIRECT (not from the page
    cache). Timed with the guest's /proc/uptime (10 ms steps); returns
    (write MiB/s, read MiB/s). Overwrites @dev."""
    t = "cut -d' ' -f1 /proc/uptime"
    out, _ = con.run("a=$(%s); dd if=/dev/zero of=%s bs=1M count=%d conv=fsync 2>/dev/null; "
                     "b=$(%s); dd if=%s of=/dev/null bs=1M count=%d iflag=direct 2>/dev/null; "
                     "c=$(%s); echo $a $b $c" % (t, dev, mib, t, dev, mib, t),
                     timeout=10 * con.cmd_timeout)
    a, b, c = (float(x) for x in out.split()[-3:])
    return mib / max(b - a, 0.01), mib / max(c - b, 0.01)


# Memory isolation: memscan (tools/linux_guest_memscan.c) puts pages that
# start with a token into RAM and counts RAM pages starting with a token,
# reading /proc/kcore; the token travels hex-encoded so only real copies
# count.
ISO_PAGES = 64


def iso_token():
    return ("KEEL-ISO-" + os.urandom(8).hex()).encode().hex()


def mem_put(con, token):
    con.run("memscan put %s /tmp/keel-iso %d" % (token, ISO_PAGES))


def mem_counts(con, *tokens):
    """How many RAM pages start with each token, in one pass over RAM."""
    out, _ = con.run("memscan find %s" % " ".join(tokens), timeout=4 * con.cmd_timeout)
    return [int(w) for w in out.split()[-len(tokens):]]
