"""Issue 5 items 5 and 6: keys from the PS/2 keyboard and the serial line
reach the console, and the console layer draws the same screen on VGA
(or the UEFI framebuffer) and on a serial terminal (docs/console.md).

Keys go in through QEMU's monitor (`sendkey`, an i8042 keyboard) and
through COM1 as a terminal sends them; keel.keytest logs each key it
gets. keel.contest draws a fixed screen that echoes the last key; the
VGA text memory and the serial byte stream, run through a small VT100
model (vt100_screen.py), must hold the same characters and colours.
"""
import re
import time

from harness import BootFailure, Qemu, load_font
from vt100_screen import screen_of

TIMEOUT = 90
NO_NIC = ["-nic", "none"]

PS2_KEYS = [("a", "a"), ("shift-a", "A"), ("f2", "F2"), ("ret", "Enter"),
            ("up", "Up"), ("esc", "Esc"), ("backspace", "Backspace"),
            ("f12", "F12"), ("pgdn", "PgDn"), ("tab", "Tab")]

# What a VT100/xterm terminal sends for each key.
SERIAL_KEYS = [(b"a", "a"), (b"A", "A"), (b"\x1bOQ", "F2"), (b"\r", "Enter"),
               (b"\x1b[A", "Up"), (b"\x7f", "Backspace"), (b"\x1b[24~", "F12"),
               (b"\x1b[6~", "PgDn"), (b"\x1b[B", "Down"), (b"\t", "Tab")]


def keytest_names(text):
    return re.findall(r"^keytest: (\S+)$", text, re.M)


def expect_keys(m, names, timeout=30):
    """Wait until keytest has logged exactly @names (in order)."""
    deadline = time.monotonic() + timeout
    while True:
        got = keytest_names(m.log())
        if got[:len(names)] == names and len(got) >= len(names):
            if got != names:
                m.fail("extra keys: got %s, sent %s" % (got, names), m.log())
            return
        if time.monotonic() > deadline:
            m.fail("keys logged %s, expected %s" % (got, names), m.log())
        time.sleep(0.2)


def ps2_keys(name, firmware, extra):
    with Qemu(name) as m:
        m.build_image("keel.keytest")
        m.start(firmware=firmware, extra=NO_NIC + extra)
        text = m.wait_for([r"keytest: ready", r"i8042: PS/2 keyboard on IRQ 1",
                           r"keel: boot complete"], TIMEOUT)
        if keytest_names(text):
            m.fail("keys before any were pressed", text)
        # The PS/2 mouse shares the controller: its bytes are no keys.
        m.monitor("mouse_move 20 10")
        m.monitor("mouse_button 1")
        m.monitor("mouse_button 0")
        for key, _ in PS2_KEYS:
            m.monitor("sendkey " + key)
        expect_keys(m, [name for _, name in PS2_KEYS])


def test_ps2_keys():
    ps2_keys("con-ps2", "bios", [])


def test_ps2_keys_uefi_q35():
    """OVMF leaves the i8042 differently from SeaBIOS; q35 routes via its own LPC."""
    ps2_keys("con-ps2-q35", "uefi", ["-machine", "q35"])


def test_serial_keys():
    with Qemu("con-serial") as m:
        m.build_image("keel.keytest")
        m.start(extra=NO_NIC, serial_in=True)
        m.wait_for([r"keytest: ready", r"serial: input on COM1",
                    r"keel: boot complete"], TIMEOUT)
        for seq, _ in SERIAL_KEYS:
            m.send_serial(seq)
        # An ESC on its own is the Esc key once the line stays quiet; an
        # escape sequence that arrives in two writes is still one key.
        m.send_serial(b"\x1b")
        time.sleep(0.5)
        m.send_serial(b"\x1b[", delay=0)
        m.send_serial(b"C")
        # Junk a noisy line could produce: no keys from it.
        m.send_serial(b"\x1b[99;99;99;99;99;99;99z\x01\x02")
        m.send_serial(b"z")
        expect_keys(m, [name for _, name in SERIAL_KEYS] + ["Esc", "Right", "z"])


def vga_cells(m, cols=80, rows=25):
    """(char, attribute) of every VGA text cell."""
    out = m.monitor("xp /%dhx 0xb8000" % (cols * rows))
    cells = [int(v, 16) for v in re.findall(r"0x([0-9a-f]{4})\b", out)]
    if len(cells) != cols * rows:
        raise BootFailure("read %d VGA cells" % len(cells))
    return [[(chr(c & 0xff) if 32 <= (c & 0xff) < 127 else " ", c >> 8)
             for c in cells[r * cols:(r + 1) * cols]] for r in range(rows)]


def cells_text(cells):
    return ["".join(c for c, _ in row).rstrip() for row in cells]


def wait_vga(m, pattern, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        cells = vga_cells(m)
        if re.search(pattern, "\n".join(cells_text(cells))):
            return cells
        if time.monotonic() > deadline:
            m.fail("VGA never showed %r:\n%s" % (pattern, "\n".join(cells_text(cells))), m.log())
        time.sleep(0.3)


def serial_screen(m):
    return screen_of(m.raw_serial())


def wait_serial_screen(m, pattern, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        s = serial_screen(m)
        if re.search(pattern, "\n".join(s.text())):
            return s
        if time.monotonic() > deadline:
            m.fail("serial terminal never showed %r:\n%s" % (pattern, "\n".join(s.text())),
                   m.log())
        time.sleep(0.3)


def same_screen(m, vga, term, what):
    """Every cell's character and colour agree between VGA and the terminal."""
    for r in range(25):
        for c in range(80):
            if vga[r][c] != term.cells[r][c]:
                m.fail("%s: row %d col %d differs: VGA %r, serial %r\nVGA:\n%s\nserial:\n%s"
                       % (what, r, c, vga[r][c], term.cells[r][c],
                          "\n".join(cells_text(vga)), "\n".join(term.text())), m.log())


def test_screen_mode_same_on_vga_and_serial():
    with Qemu("con-screen") as m:
        m.build_image("keel.contest", serial_console=True)
        m.start(extra=NO_NIC, serial_in=True)
        m.wait_for([r"Keel console test", r"Last key: \(none\)"], TIMEOUT)

        m.monitor("sendkey shift-q")
        vga = wait_vga(m, r"Last key: Q ")
        term = wait_serial_screen(m, r"Last key: Q ")
        same_screen(m, vga, term, "after a PS/2 key")
        text = cells_text(vga)
        if not text[0].startswith(" Keel console test") or "Keys so far: 1" not in text[8]:
            m.fail("unexpected screen:\n" + "\n".join(text), m.log())
        # Title bar white on blue, hint bar black on grey (VGA attributes).
        if vga[0][1][1] != 0x1f or vga[24][1][1] != 0x70 or vga[2][2][1] != 0x0e:
            m.fail("colours %#x %#x %#x" % (vga[0][1][1], vga[24][1][1], vga[2][2][1]), m.log())

        m.send_serial(b"\x1b[A")
        vga = wait_vga(m, r"Last key: Up ")
        term = wait_serial_screen(m, r"Last key: Up ")
        same_screen(m, vga, term, "after a serial key")

        # Log lines do not scroll over the screen on either output.
        if "contest: key" in "\n".join(cells_text(vga)) + m.raw_serial().decode("latin-1"):
            m.fail("a log line was drawn in screen mode", m.log())

        # A terminal that connects late asks for a repaint with Ctrl-L:
        # what follows alone must rebuild the whole screen.
        mark = len(m.raw_serial())
        m.send_serial(b"\x0c")
        deadline = time.monotonic() + 20
        while "Last key: Up" not in "\n".join(screen_of(m.raw_serial()[mark:]).text()):
            if time.monotonic() > deadline:
                m.fail("Ctrl-L did not repaint the serial terminal", m.log())
            time.sleep(0.3)
        time.sleep(0.5)
        after = m.raw_serial()[mark:]
        same_screen(m, vga_cells(m), screen_of(after),
                    "repaint after Ctrl-L")

        # F10 leaves screen mode: the log is back on both outputs, with
        # the lines logged meanwhile written to serial, in order.
        m.monitor("sendkey f10")
        text = m.wait_for([r"contest: left screen mode after 3 keys"], 20)
        held = re.findall(r"^contest: key (\S+)$", text, re.M)
        if held != ["Q", "Up", "F10"]:
            m.fail("held log lines on serial: %s" % held, text)
        vga = wait_vga(m, r"contest: left screen mode")
        if any("Keel console test" in l for l in cells_text(vga)):
            m.fail("screen not given back to the log", text)


def test_serial_log_mode_keeps_log_on_serial():
    """keel.serial=log: the line stays a log; the screen is drawn on VGA."""
    with Qemu("con-serial-log") as m:
        m.build_image("keel.contest keel.serial=log")
        m.start(extra=NO_NIC, serial_in=True)
        m.wait_for([r"contest: screen mode"], TIMEOUT)
        m.send_serial(b"\x1bOP")
        m.wait_for([r"^contest: key F1$"], 20)
        wait_vga(m, r"Last key: F1 ")
        raw = m.raw_serial()
        if b"Keel console test" in raw or b"\x1b[2J" in raw.split(b"contest: screen mode")[-1]:
            m.fail("screen drawn on the serial log", m.log())


def test_uefi_framebuffer_screen():
    font = load_font()
    with Qemu("con-uefi") as m:
        m.build_image("keel.contest", serial_console=True)
        m.start(firmware="uefi", extra=NO_NIC, serial_in=True)
        m.wait_for([r"Keel console test"], TIMEOUT)
        m.send_serial(b"\x1b[15~")
        term = wait_serial_screen(m, r"Last key: F5 ")
        deadline = time.monotonic() + 20
        while True:
            lines = [l.strip() for l in m.screen_text(font)]
            if any("Last key: F5 " in l for l in lines):
                break
            if time.monotonic() > deadline:
                m.fail("framebuffer never showed the key:\n" + "\n".join(lines), m.log())
            time.sleep(0.5)
        # The 80x25 grid is centred: compare the non-blank rows in order.
        fb = [l for l in lines if l]
        want = [l.strip() for l in term.text() if l.strip()]
        if fb != want:
            m.fail("framebuffer %s\nserial %s" % (fb, want), m.log())


def test_no_i8042_does_not_stall():
    """A machine without a PS/2 controller boots; serial keys still work."""
    with Qemu("con-no-i8042") as m:
        m.build_image("keel.keytest")
        m.start(extra=NO_NIC + ["-machine", "pc,i8042=off"], serial_in=True)
        text = m.wait_for([r"i8042: no PS/2 controller", r"keel: boot complete",
                           r"keytest: ready"], TIMEOUT)
        if re.search(r"i8042: .*(timed out|not readable|IRQ)", text):
            m.fail("i8042 probe on a machine without one", text)
        m.send_serial(b"\x1b[H")
        expect_keys(m, ["Home"])
