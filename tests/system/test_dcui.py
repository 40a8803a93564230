"""Issue 6, setup console: an operator on the serial terminal sets the
host up and changes it (docs/firstboot.md). Keys go in as a VT100
terminal sends them; the screen is read back through vt100_screen.py
from what Keel sends on the line, exactly what the operator sees.

The tests marked "real store" need the config store on the boot device
(they reboot the same disk image and expect the settings back).
"""
import os
import re
import struct
import subprocess
import time

from harness import Qemu
from vt100_screen import screen_of

TIMEOUT = 90
F2, F10_KEY, F12 = b"\x1bOQ", b"\x1b[21~", b"\x1b[24~"
UP, DOWN = b"\x1b[A", b"\x1b[B"
PGUP, PGDN, HOME, END = b"\x1b[5~", b"\x1b[6~", b"\x1b[H", b"\x1b[F"
ENTER, ESC, BS = b"\r", b"\x1b", b"\x7f"
PASSWORD = b"Keel-Test1"
THUMB_LINE = r"(?:[0-9A-F]{2}:){15}[0-9A-F]{2}"

# The F2 menu, top to bottom (firstboot/fb_customize.c).
MENU = ["Configure Management Network", "Test Management Network",
        "Change Root Password", "View System Log", "Restart Management Network",
        "Regenerate Certificate", "Lockdown Mode", "Reset System Configuration"]


class Console:
    """The operator's terminal on one boot (bytes from @mark on)."""

    def __init__(self, m, mark=0):
        self.m, self.mark = m, mark

    def text(self):
        return "\n".join(screen_of(self.m.raw_serial()[self.mark:]).text())

    def wait(self, *patterns, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            t = self.text()
            if all(re.search(p, t, re.M) for p in patterns):
                return t
            if time.monotonic() > deadline:
                self.m.fail("screen never showed %s; screen:\n%s" % (patterns, t),
                            self.m.log())
            time.sleep(0.3)

    def type(self, data, settle=0.3):
        self.m.send_serial(data)
        time.sleep(settle)

    def menu(self, item):
        """Pick @item of the F2 menu (the cursor is on the first one)."""
        self.wait(r"System Customization")
        self.type(HOME + DOWN * MENU.index(item) + ENTER)


def boot(m, mark=0, timeout=TIMEOUT):
    m.start(disk="ahci", serial_in=True)
    return Console(m, mark)


def field_error(text, label):
    """The reason shown under the field @label, or None."""
    lines = text.split("\n")
    for i, l in enumerate(lines[:-1]):
        if l.strip().startswith(label):
            nxt = lines[i + 1].strip()
            return nxt[2:] if nxt.startswith("! ") else None
    return None


def thumbprint(text):
    m = re.search(r"thumbprint:\n\s+(%s)\n\s+(%s)" % (THUMB_LINE, THUMB_LINE), text)
    return m and m.group(1) + ":" + m.group(2)


def wizard(c, static=True, host=b"esx1.lab"):
    c.wait(r"Keel Setup 1/3: Root Password", r"Rule: 8-64 characters", timeout=TIMEOUT)
    c.type(PASSWORD + ENTER + PASSWORD + ENTER)
    c.wait(r"Keel Setup 2/3: Management Network")
    if static:
        c.type(b" " + ENTER + b"10.0.2.15" + ENTER + b"255.255.255.0" + ENTER
               + b"10.0.2.2" + ENTER + b"10.0.2.3" + ENTER + ENTER)
    else:
        c.type(ENTER * 3)  # DHCP: the static fields are skipped
    c.type(BS * 9 + host + ENTER + ENTER + ENTER)
    t = c.wait(r"Confirm setup")
    c.type(b"y")
    return t


def status(c, *patterns, timeout=60):
    return c.wait(r"To manage this host, go to:", r"<F2> Customize System/View Logs",
                  r"0 virtual machines running, \d+ registered",
                  r"<F12> Shut Down/Restart", r"thumbprint:", *patterns, timeout=timeout)


def login(c, pw=PASSWORD):
    c.wait(r"Authentication Required")
    c.type(pw + ENTER)


def test_wizard_static_end_to_end():
    """Weak, mismatched and invalid input is refused with the reason on
    screen; valid settings lead to the status screen with the hostname,
    the address and a thumbprint."""
    with Qemu("dcui-wizard") as m:
        m.build_image("", serial_console=True)
        c = boot(m)
        c.wait(r"Keel Setup 1/3: Root Password", timeout=TIMEOUT)
        c.type(b"short" + ENTER + b"short" + ENTER)
        t = c.wait(r"^\s+! ")
        if not field_error(t, "Root password"):
            m.fail("weak password not refused:\n" + t, m.log())
        c.type(BS * 10 + PASSWORD + ENTER + BS * 10 + b"Keel-Test2" + ENTER)
        t = c.wait(r"do not match")
        if "2/3" in t:
            m.fail("mismatched passwords accepted", m.log())
        c.type(PASSWORD + ENTER)
        c.wait(r"Keel Setup 2/3: Management Network")
        # Static, with a bad address, a bad host name and a bad VLAN ID.
        c.type(b" " + ENTER + b"10.0.2.300" + ENTER + b"255.255.255.0" + ENTER
               + b"10.0.2.2" + ENTER + ENTER + ENTER + BS * 9 + b"-bad-" + ENTER
               + BS + b"5000" + ENTER + ENTER)
        c.wait(r"^\s+! ")
        time.sleep(1)
        t = c.text()
        for label in ("IPv4 address", "Hostname", "VLAN ID"):
            if not field_error(t, label):
                m.fail("%s: no reason shown:\n%s" % (label, t), m.log())
        if "Confirm setup" in t:
            m.fail("invalid settings reached the summary", m.log())
        if "4094" not in field_error(t, "VLAN ID"):
            m.fail("VLAN reason does not give the range: " + t, m.log())
        # Fix them: the focus is on the first refused field (the address).
        c.type(BS * 10 + b"10.0.2.15" + ENTER + ENTER + ENTER + ENTER + ENTER
               + BS * 5 + b"esx1.lab" + ENTER + BS * 4 + b"0" + ENTER + ENTER)
        t = c.wait(r"Confirm setup", r"static 10\.0\.2\.15 netmask 255\.255\.255\.0",
                   r"Hostname:\s+esx1\.lab", r"Gateway:\s+10\.0\.2\.2")
        c.type(b"y")
        t = status(c, r"https://10\.0\.2\.15/", r"Hostname: esx1\.lab")
        if not thumbprint(t):
            m.fail("no thumbprint of 32 hex pairs:\n" + t, m.log())


def test_f2_wrong_password_counted_and_log_scrolls():
    with Qemu("dcui-f2") as m:
        m.build_image("", serial_console=True)
        c = boot(m)
        wizard(c, static=False, host=b"dhcp-host")
        # QEMU's user network hands out 10.0.2.15 by DHCP, late.
        status(c, r"https://10\.0.2\.15/", r"Hostname: dhcp-host")
        c.type(F2)
        for n in (1, 2, 3):
            t0 = time.monotonic()
            login(c, b"wrong-%d" % n)
            t = c.wait(r"Wrong password \(%d failed attempts?\)" % n, timeout=20)
            if "System Customization" in t:
                m.fail("a wrong password opened the menu", m.log())
        # The third failure in a row is slowed down (1 s, then 2 s, ...).
        if time.monotonic() - t0 < 1.0:
            m.fail("no delay after 3 wrong passwords", m.log())
        login(c)
        c.menu("View System Log")
        t = c.wait(r"System Log", r"lines (\d+)-(\d+) of (\d+)")
        first, last, total = map(int, re.search(r"lines (\d+)-(\d+) of (\d+)", t).groups())
        if last != total or total < 40:
            m.fail("log viewer does not start at the newest line:\n" + t, m.log())
        c.type(PGUP)
        t = c.wait(r"lines %d-" % (first - 22 if first > 22 else 1))
        c.type(HOME)
        t = c.wait(r"lines 1-22 of")
        if "Keel " not in t:
            m.fail("the oldest line is not the banner:\n" + t, m.log())
        c.type(END)
        c.wait(r"lines %d-%d of %d" % (first, last, total))
        c.type(ESC)
        c.wait(r"System Customization")
        c.type(ESC)
        status(c)


def test_network_dhcp_to_static_and_back():
    """F2 Configure Management Network: the new address is active at
    once (the status screen shows it), then DHCP again."""
    with Qemu("dcui-net") as m:
        m.build_image("", serial_console=True)
        c = boot(m)
        wizard(c, static=False, host=b"nethost")
        status(c, r"https://10\.0\.2\.15/")
        c.type(F2)
        login(c)
        c.menu("Configure Management Network")
        c.wait(r"IPv4 configuration\s+< DHCP >")
        c.type(b" " + ENTER + b"10.0.2.20" + ENTER + b"255.255.255.0" + ENTER
               + b"10.0.2.2" + ENTER + ENTER + ENTER + ENTER + ENTER + ENTER)
        c.wait(r"Confirm network settings", r"static 10\.0\.2\.20")
        c.type(b"y")
        c.wait(r"stored and active")
        c.type(ENTER + ESC)
        t = status(c, r"https://10\.0\.2\.20/")
        if "10.0.2.15" in t:
            m.fail("old address still shown:\n" + t, m.log())
        c.type(F2)
        login(c)
        c.menu("Configure Management Network")
        c.wait(r"IPv4 configuration\s+< Static >", r"IPv4 address\s+10\.0\.2\.20")
        c.type(b" " + F10_KEY)
        c.wait(r"Confirm network settings", r"IPv4:\s+DHCP")
        c.type(b"y")
        c.wait(r"stored and active")
        c.type(ENTER + ESC)
        status(c, r"https://10\.0\.2\.15/", timeout=60)


def test_password_change_and_reset_to_factory():
    """Change the root password (the old one is refused after), then
    reset the configuration: back to the wizard."""
    with Qemu("dcui-pw") as m:
        m.build_image("", serial_console=True)
        c = boot(m)
        wizard(c)
        status(c)
        c.type(F2)
        login(c)
        c.menu("Change Root Password")
        c.type(b"New-Pass9" + ENTER + b"New-Pass9" + ENTER)
        c.wait(r"Store the new root password\?")
        c.type(b"y")
        c.wait(r"The root password was changed")
        c.type(ENTER + ESC)
        status(c)
        c.type(F2)
        login(c)
        c.wait(r"Wrong password \(1 failed attempt\)")
        c.type(BS * 12 + b"New-Pass9" + ENTER)
        c.menu("Reset System Configuration")
        c.wait(r"Erase every setting")
        c.type(b"y")
        c.wait(r"Type YES")
        c.type(b"yes" + ENTER)
        c.wait(r"Type YES in capitals")
        c.type(BS * 3 + b"YES" + ENTER)
        c.wait(r"Keel Setup 1/3: Root Password")


def test_reboot_keeps_settings_and_thumbprint():
    """Real store: after a reboot the status screen shows the same
    hostname, address and thumbprint, and the password still works."""
    with Qemu("dcui-reboot") as m:
        m.build_image("", serial_console=True)
        c = boot(m)
        wizard(c, host=b"keep.lab")
        t = status(c, r"https://10\.0\.2\.15/", r"Hostname: keep\.lab")
        thumb = thumbprint(t)
        time.sleep(2)  # the commit is durable before the screen; margin
        m.stop()
        c = boot(m, mark=len(m.raw_serial()))
        t = status(c, r"https://10\.0\.2\.15/", r"Hostname: keep\.lab", timeout=TIMEOUT)
        if thumbprint(t) != thumb:
            m.fail("thumbprint changed over a reboot: %s -> %s" % (thumb, thumbprint(t)),
                   m.log())
        c.type(F2)
        login(c)
        c.wait(r"System Customization")


def test_f2_tools_certificate_and_shutdown():
    """Test Management Network pings the gateway; Regenerate Certificate
    shows a new thumbprint that the status screen then shows; lockdown
    toggles; F12 shuts the host down."""
    with Qemu("dcui-tools") as m:
        m.build_image("", serial_console=True)
        c = boot(m)
        wizard(c)
        old = thumbprint(status(c, r"https://10\.0\.2\.15/"))
        c.type(F2)
        login(c)
        c.menu("Test Management Network")
        t = c.wait(r"Test done\.", timeout=60)
        if not re.search(r"Ping gateway 10\.0\.2\.2: OK", t):
            m.fail("gateway ping not OK:\n" + t, m.log())
        c.type(ESC)
        c.menu("Regenerate Certificate")
        c.wait(r"Make a new TLS key")
        c.type(b"y")
        pat = r"New SHA-256 thumbprint:.*\n.*?(%s).*\n.*?(%s)" % (THUMB_LINE, THUMB_LINE)
        t = c.wait(pat, timeout=60)
        new = re.search(pat, t)
        new = new.group(1) + ":" + new.group(2)
        if new == old:
            m.fail("thumbprint did not change", m.log())
        c.type(ENTER)
        c.menu("Lockdown Mode")
        c.wait(r"Lockdown mode is OFF")
        c.type(b"y")
        c.wait(r"Lockdown mode is now on")
        c.type(ENTER + ESC)
        t = status(c, r"Lockdown mode is on")
        if thumbprint(t) != new:
            m.fail("status screen shows %s, not the new %s" % (thumbprint(t), new), m.log())
        c.type(F12)
        login(c)
        c.wait(r"Shut Down/Restart")
        c.type(ENTER)
        c.wait(r"Shut down this host now\?")
        c.type(b"y")
        m.wait_exit([r"firstboot: shut down from the console"], 60)


def config_partition_offset(image):
    """Byte offset of KEEL-CONFIG (GPT entry 3, docs/image.md)."""
    with open(image, "rb") as f:
        f.seek(2 * 512 + 2 * 128 + 32)  # entry 3's first LBA
        return struct.unpack("<Q", f.read(8))[0] * 512


def test_damaged_store_offers_recreate():
    """A config partition with a damaged store: the console says what is
    wrong and offers to re-create it; re-created, the host is at first
    boot again, and the next boot finds a healthy store."""
    with Qemu("dcui-damaged") as m:
        img = m.build_image("", serial_console=True)
        c = boot(m)
        wizard(c)
        status(c)
        m.stop()
        with open(img, "r+b") as f:  # scribble over the superblock
            f.seek(config_partition_offset(img))
            f.write(b"\xa5" * 512)
        mark = len(m.raw_serial())
        c = boot(m, mark)
        t = c.wait(r"Configuration Store Error", r"Re-create configuration store",
                   timeout=TIMEOUT)
        if not re.search(r"store: config partition damaged: .+", m.log()):
            m.fail("the reason was not logged", m.log())
        c.type(ENTER)
        c.wait(r"Erase the configuration store")
        c.type(b"y")
        wizard(c, host=b"again.lab")
        status(c, r"Hostname: again\.lab")
        m.stop()
        mark = len(m.raw_serial())
        c = boot(m, mark)
        status(c, r"Hostname: again\.lab", timeout=TIMEOUT)


def test_refused_keel_cfg_then_wizard_removes_it():
    """A bad keel.cfg: its line and reason are on the setup screen, the
    wizard runs, and once the host is set up the file (which may hold a
    password in clear) is gone from the stick."""
    with Qemu("dcui-badks") as m:
        cfg = os.path.join(m.dir, "bad.cfg")
        with open(cfg, "w") as f:
            f.write("vmaccepteula\nrootpw Passw0rd!x\nnetwork --bootproto=static --ip=10.0.2.15\n")
        m.build_image("", files={"keel.cfg": cfg}, serial_console=True)
        c = boot(m)
        c.wait(r"Kickstart file refused", r"keel\.cfg line 3: network --bootproto=static "
               r"needs --netmask", timeout=TIMEOUT)
        c.type(ENTER)
        wizard(c)
        status(c)
        m.stop()
        # The log is held back while the screen is up: ask the stick.
        files = subprocess.run(
            ["mdir", "-b", "-i", "%s@@%d" % (m.image, 2 * 1024 * 1024), "::/"],
            env=dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLSRC="/dev/null"),
            capture_output=True, text=True, check=True).stdout.lower()
        if "keel.cfg" in files or "keel.elf" not in files:
            m.fail("the refused keel.cfg is still on the stick:\n" + files, m.log())
