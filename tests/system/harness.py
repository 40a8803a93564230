"""Boot the real Keel image under QEMU or Bochs and read what it prints.

Every test gets a private copy of build/keel-test.img (Bochs leaves lock
files, and later tests write the config partition), a serial log file, and
for QEMU a monitor socket to read the screen the way an operator would see
it. keel-test.img is keel.img booted with `keel.serial=log`: the setup
console takes the screen at every boot, and without that option the log
lines would be held back on serial while it does (docs/console.md).
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
IMAGE = os.path.join(BUILD, "keel-test.img")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# What every boot must print (issue 2): the banner first, then the memory
# map, the CPU and each library coming alive.
BANNER = re.compile(r"^Keel \d+\.\d+\.\d+\S* - bare-metal hypervisor", re.M)
LIBRARY_LINES = [
    r"mbedtls: 2\.28\.3 SHA-256 known-answer tests passed",
    r"sqlite: 3\.40\.1 in-memory database: 3 rows written and read back",
    r"lwip: 2\.1\.3 up, loopback 127\.0\.0\.1 answers UDP",
]
ANSI_ESCAPE = re.compile(r"\x1b(\[[0-9;=?]*[A-Za-z]|[()][A-Z0-9]|[=>c])")
BOOT_LINES = [r"mem: \d+ MiB usable", r"cpu: \S+ ", r"keel: boot complete"]


# The terminal side of COM1 for start(serial_in=True): a process of its
# own, so it always keeps up with QEMU; Keel's output goes to the log file
# as it arrives, stdin goes to Keel.
SERIAL_PUMP = r"""
import os, select, socket, sys, time
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
for _ in range(600):
    try:
        s.connect(path)
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("serial pump: no socket " + path)
s.setblocking(False)
out = open(log, "ab", buffering=0)
rfds, pending = [s, 0], b""
while True:
    r, w, _ = select.select(rfds, [s] if pending else [], [])
    if s in r:
        try:
            d = s.recv(65536)
        except BlockingIOError:
            d = None
        if d == b"":
            break
        if d:
            out.write(d)
    if 0 in r:
        d = os.read(0, 4096)
        if d:
            pending += d
        else:
            rfds.remove(0)
    if s in w:
        try:
            pending = pending[s.send(pending):]
        except BlockingIOError:
            pass
"""


class BootFailure(AssertionError):
    pass


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on now (for hostfwd)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# keel.blktest=DISK (drivers/blk_test.c): byte i of BLKTEST_BYTES at byte
# BLKTEST_OFFSET of the disk is (i % 251) ^ 0xa5.
BLKTEST_OFFSET, BLKTEST_BYTES = 1 << 20, 600 * 512


def blktest_line(disk):
    return (r"blktest: %s: wrote, flushed and read back %d bytes at byte offset %d: match"
            % (disk, BLKTEST_BYTES, BLKTEST_OFFSET))


def check_blktest(path):
    """The pattern keel.blktest wrote is in the disk file @path on the host
    side, and nothing before it was written."""
    with open(path, "rb") as f:
        before = f.read(BLKTEST_OFFSET)
        data = f.read(BLKTEST_BYTES)
    if data != bytes((i % 251) ^ 0xa5 for i in range(BLKTEST_BYTES)):
        raise BootFailure("%s: the keel.blktest pattern is not at byte %d"
                          % (path, BLKTEST_OFFSET))
    if before.strip(b"\0"):
        raise BootFailure("%s: bytes before %d were written" % (path, BLKTEST_OFFSET))


# The machines each test thread made since tests/run.py last asked: after
# a failure it looks at them for an emulator fault (emulator_fault()).
_made = threading.local()


def machines_made(reset=False):
    made = getattr(_made, "machines", [])
    if reset:
        _made.machines = []
    return made


class Machine:
    """One emulator run with its serial log; use as a context manager."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="keel-%s-" % name)
        self.serial = os.path.join(self.dir, "serial.log")
        self.proc = None
        self.image = os.path.join(self.dir, "keel.img")
        _made.machines = getattr(_made, "machines", []) + [self]

    def host_triple_fault(self):
        """QEMU triple-faulted Keel itself without Keel panicking first:
        Keel's exception handlers only fail that way while the CPU holds
        the guest's TR and GS, between VMRUN and VMLOAD of the host."""
        try:
            with open(os.path.join(self.dir, "qemu-debug.log"), "rb") as f:
                f.seek(max(0, os.path.getsize(f.name) - 65536))
                hit = b"Triple fault" in f.read()
        except OSError:
            return False
        return hit and "panic" not in self.log()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is None and not os.environ.get("KEEL_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        pump = getattr(self, "serial_pump", None)
        if pump is not None:
            if pump.poll() is None:
                pump.kill()
            pump.wait()
            pump.stdin.close()
            self.serial_pump = None

    def log(self):
        try:
            with open(self.serial, "rb") as f:
                text = f.read().decode("utf-8", "replace").replace("\r", "")
            # Firmware and GRUB draw with ANSI escapes; read what a person sees.
            return ANSI_ESCAPE.sub("", text)
        except FileNotFoundError:
            return ""

    def copy_image(self, src=IMAGE):
        shutil.copyfile(src, self.image)
        return self.image

    def build_image(self, cmdline, files=None, serial_console=False):
        """A private image whose kernel command line has extra words;
        files ({NAME: PATH}) go to the root of the boot partition. The
        serial line stays a log (keel.serial=log) unless @serial_console:
        then it shows the setup console, as an operator's terminal does."""
        if not serial_console:
            cmdline = (cmdline + " keel.serial=log").strip()
        extra = []
        for name, path in (files or {}).items():
            extra += ["--file", "%s=%s" % (name, path)]
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "image", "mkimage.py"),
                        "--elf", os.path.join(BUILD, "keel.elf"), "--out", self.image,
                        "--work", os.path.join(self.dir, "work"), "--cmdline", cmdline]
                       + extra, check=True, capture_output=True)
        return self.image

    def wait_exit(self, patterns, timeout):
        """Wait for the emulator to end by itself (power-off), then check
        that every regex matched what it printed."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            text = self.log()
            if re.search(r"PANIC", text):
                self.fail("kernel panic", text)
            if time.monotonic() > deadline:
                self.fail("still running %ds after boot: no power-off" % timeout, text)
            time.sleep(0.2)
        text = check_boot(self.log())
        missing = [p for p in patterns if not re.search(p, text, re.M)]
        if missing:
            self.fail("emulator exited (%s) without printing %s"
                      % (self.proc.returncode, ", ".join(missing)), text)
        return text

    def wait_for(self, patterns, timeout):
        """Wait until every regex matches the serial log; fail with the log."""
        deadline = time.monotonic() + timeout
        pending = [re.compile(p, re.M) for p in patterns]
        while True:
            text = self.log()
            pending = [p for p in pending if not p.search(text)]
            if not pending:
                return text
            if re.search(r"PANIC", text):
                self.fail("kernel panic", text)
            if self.proc.poll() is not None:
                self.fail("emulator exited with %s" % self.proc.returncode, text)
            if time.monotonic() > deadline:
                self.fail("timed out after %ds waiting for %s"
                          % (timeout, ", ".join(p.pattern for p in pending)), text)
            time.sleep(0.2)

    def fail(self, why, text):
        cpus = self.cpu_notes()
        self.stop()
        tail = "\n".join("    | " + l for l in text.splitlines()[-60:])
        raise BootFailure("%s (files in %s)\n  serial log:\n%s%s%s"
                          % (why, self.dir, tail, cpus, self.emulator_notes()))

    def cpu_notes(self, samples=3):
        """Where each CPU of a still-running QEMU is (RIP as function and
        line of build/keel.elf, halted or not, IF), sampled a few times: a
        hang's log then says whether Keel spins, and where, or sleeps."""
        if not getattr(self, "monitor_path", None) or not self.proc or \
                self.proc.poll() is not None:
            return ""
        rows = []
        try:
            for _ in range(samples):
                regs = self.monitor("info registers -a", timeout=5)
                for cpu, rip, fl, hlt in re.findall(
                        r"CPU#(\d+)\nRAX=.*?RIP=([0-9a-f]+) RFL=([0-9a-f]+).*?HLT=(\d)",
                        regs, re.S):
                    rows.append((int(cpu), int(rip, 16), int(fl, 16), hlt == "1"))
                time.sleep(0.3)
        except OSError:
            return ""
        if not rows:
            return ""
        where = {}
        addrs = sorted({"%x" % r[1] for r in rows})
        try:
            out = subprocess.run(["addr2line", "-f", "-s", "-e", os.path.join(BUILD, "keel.elf")]
                                 + addrs, capture_output=True, text=True, timeout=20).stdout
            lines = out.splitlines()
            where = {a: "%s (%s)" % (lines[2 * i], lines[2 * i + 1])
                     for i, a in enumerate(addrs) if 2 * i + 1 < len(lines)}
        except (OSError, subprocess.SubprocessError):
            pass
        return "\n  CPUs at the failure (QEMU monitor, %d samples):\n" % samples + "\n".join(
            "    | CPU %d rip %x %s%s IF=%d" % (c, rip, where.get("%x" % rip, "?"),
                                               " halted" if h else "", (fl >> 9) & 1)
            for c, rip, fl, h in rows)

    def emulator_notes(self):
        """The emulator's own log around the last triple fault (QEMU:
        qemu-debug.log), so an exit under -no-reboot is not silent."""
        try:
            with open(os.path.join(self.dir, "qemu-debug.log"), errors="replace") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return ""
        hits = [i for i, l in enumerate(lines) if "Triple fault" in l]
        if not hits:
            return ""
        start = max(0, hits[-1] - 5)
        return "\n  emulator log (qemu-debug.log):\n" + \
            "\n".join("    | " + l for l in lines[start:start + 30])


class Qemu(Machine):
    DISKS = {
        "ide": ["-drive", "file={img},format=raw,if=ide"],
        "usb": ["-device", "qemu-xhci,id=xhci",
                "-drive", "file={img},format=raw,if=none,id=boot",
                "-device", "usb-storage,bus=xhci.0,drive=boot,bootindex=0"],
        "ahci": ["-device", "ahci,id=ahci",
                 "-drive", "file={img},format=raw,if=none,id=boot",
                 "-device", "ide-hd,drive=boot,bus=ahci.0,bootindex=0"],
        "nvme": ["-drive", "file={img},format=raw,if=none,id=boot",
                 "-device", "nvme,serial=keel0,drive=boot,bootindex=0"],
        "virtio": ["-drive", "file={img},format=raw,if=none,id=boot",
                   "-device", "virtio-blk-pci,drive=boot,disable-legacy=on,bootindex=0"],
    }

    def start(self, firmware="bios", disk="ide", mem=512, extra=(), serial_in=False):
        """serial_in=True: COM1 is also a terminal m.send_serial() types
        into; what Keel prints still lands in the same log file."""
        self.monitor_path = os.path.join(self.dir, "monitor.sock")
        if serial_in:
            # QEMU's own chardev logfile repeats a byte whenever the socket
            # is momentarily full (it logs the failed write, then the
            # retry), so a separate pump process owns the socket and
            # writes the log; wait=on: QEMU starts once it is connected.
            self.serial_sock_path = os.path.join(self.dir, "serial.sock")
            serial = ["-chardev", "socket,id=ser0,path=%s,server=on,wait=on"
                      % self.serial_sock_path, "-serial", "chardev:ser0"]
        else:
            serial = ["-serial", "file:" + self.serial]
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max",
               "-m", str(mem), "-display", "none", "-no-reboot"] + serial + [
               "-monitor", "unix:%s,server,nowait" % self.monitor_path,
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if firmware == "uefi":
            vars_copy = os.path.join(self.dir, "OVMF_VARS.fd")
            shutil.copyfile(OVMF_VARS, vars_copy)
            cmd += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                    "-drive", "if=pflash,format=raw,file=" + vars_copy]
        cmd += [a.format(img=self.image) for a in self.DISKS[disk]]
        cmd += list(extra)
        if "-d" not in cmd:
            # Cheap (a few lines per CPU reset): a triple fault of the host
            # under -no-reboot otherwise just ends QEMU with status 0.
            cmd += ["-d", "cpu_reset,guest_errors", "-D",
                    os.path.join(self.dir, "qemu-debug.log")]
        self.proc = subprocess.Popen(cmd, stdout=open(os.path.join(self.dir, "qemu.out"), "w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if serial_in:
            self.serial_pump = subprocess.Popen(
                [sys.executable, "-c", SERIAL_PUMP, self.serial_sock_path, self.serial],
                stdin=subprocess.PIPE)
        return self

    def send_serial(self, data, delay=0.0):
        """Type bytes on COM1 (needs start(serial_in=True)), as a terminal
        would; with @delay, one byte at a time that many seconds apart."""
        pump = getattr(self, "serial_pump", None)
        if pump is None:
            raise BootFailure("send_serial needs start(serial_in=True)")
        chunks = [bytes([b]) for b in data] if delay else [data]
        for c in chunks:
            pump.stdin.write(c)
            pump.stdin.flush()
            if delay:
                time.sleep(delay)

    def raw_serial(self):
        """The serial output as bytes, escape sequences and all."""
        try:
            with open(self.serial, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def monitor(self, command, timeout=10):
        """Run one human-monitor command and return its output."""
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        for _ in range(50):
            try:
                s.connect(self.monitor_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.1)
        out = b""
        while b"(qemu)" not in out:
            out += s.recv(65536)
        s.sendall(command.encode() + b"\n")
        out = b""
        while not out.rstrip().endswith(b"(qemu)"):
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        s.close()
        text = out.decode("utf-8", "replace").replace("\r", "")
        # The monitor echoes the command (with terminal escapes) first.
        return text.split("\n", 1)[1].rsplit("(qemu)", 1)[0] if "\n" in text else ""

    def vga_text(self, cols=80, rows=25):
        """The VGA text screen, read from guest memory at 0xb8000."""
        out = self.monitor("xp /%dhx 0xb8000" % (cols * rows))
        cells = [int(v, 16) for v in re.findall(r"0x([0-9a-f]{4})\b", out)]
        chars = "".join(chr(c & 0xff) if 32 <= (c & 0xff) < 127 else " " for c in cells)
        return [chars[i:i + cols].rstrip() for i in range(0, len(chars), cols)]

    def screen_text(self, font):
        """OCR of the framebuffer with Keel's own console font."""
        path = os.path.join(self.dir, "screen.ppm")
        self.monitor("screendump " + path)
        return ocr_ppm(path, font)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)  # P6 W H MAX pixels
    if parts[0] != b"P6":
        raise BootFailure("screendump is not a P6 PPM")
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4][:w * h * 3]


def ocr_ppm(path, font):
    """Read text drawn with an 8x16 font (glyph bytes -> char map). A cell's
    background is its most common colour (black, or a coloured bar of the
    console's screen mode); every other pixel is ink."""
    w, h, px = read_ppm(path)
    lines = []
    for row in range(h // 16):
        line = []
        for col in range(w // 8):
            cell = []
            for y in range(16):
                off = ((row * 16 + y) * w + col * 8) * 3
                cell.append([px[off + 3 * x: off + 3 * x + 3] for x in range(8)])
            flat = [p for r in cell for p in r]
            bg = max(set(flat), key=flat.count) if len(set(flat)) > 1 else flat[0]
            rows = []
            for y in range(16):
                bits = 0
                for x in range(8):
                    if cell[y][x] != bg:
                        bits |= 0x80 >> x
                rows.append(bits)
            line.append(font.get(bytes(rows), "?"))
        lines.append("".join(line).rstrip())
    return lines


def load_font():
    """Glyph bitmap -> character, from the same font the kernel embeds."""
    src = open(os.path.join(BUILD, "gen", "font.c")).read()
    glyphs = re.findall(r"\{((?:0x[0-9a-f]{2},?){16})\}", src)
    font = {}
    for cp, g in enumerate(glyphs):
        bits = bytes(int(b, 16) for b in g.split(","))
        if 32 <= cp < 127:
            font.setdefault(bits, chr(cp))
    return font


class Bochs(Machine):
    def start(self, mem=512, timeout_s=None, cpus=1, extra=""):
        """@extra: more bochsrc lines (devices: e1000, usb_xhci ...)."""
        rc = os.path.join(self.dir, "bochs.rc")
        with open(rc, "w") as f:
            f.write("c\n")  # continue: do not stop in the debugger
        cfg = os.path.join(self.dir, "bochsrc")
        with open(cfg, "w") as f:
            f.write(f"""megs: {mem}
cpu: model=corei7_skylake_x, count={cpus}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
display_library: rfb, options="timeout=0"
plugin_ctrl: speaker=0, sb16=0, es1370=0
ata0-master: type=disk, path={self.image}, mode=flat
boot: disk
com1: enabled=1, mode=file, dev={self.serial}
clock: sync=none, time0=local
log: {os.path.join(self.dir, 'bochs.log')}
panic: action=fatal
error: action=report
""" + extra)
        self.proc = subprocess.Popen(["bochs", "-q", "-f", cfg, "-rc", rc],
                                     cwd=self.dir,
                                     stdout=open(os.path.join(self.dir, "bochs.out"), "w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self


def check_boot(text):
    """The banner is the first line Keel prints, before the boot details."""
    m = BANNER.search(text)
    first_detail = re.search(r"^(boot|mem|cpu|mb2|console):", text, re.M)
    if not m or (first_detail and first_detail.start() < m.start()):
        raise BootFailure("banner is not Keel's first line:\n" + text)
    return text
