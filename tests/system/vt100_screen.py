"""A tiny VT100/ANSI terminal: apply what Keel sends on the serial line to
an 80x25 grid, to read the screen a serial operator would see.

Understands what drivers/console.c emits (CUP, SGR colours, ED, EL,
DECTCEM, DECAWM) plus plain text with CR/LF/BS and scrolling, so the boot
log before screen mode lands on the grid the way a terminal shows it.
Other escape sequences are consumed and ignored.
"""

# ANSI colour number <-> VGA colour number (VGA is BGR-ordered).
ANSI_TO_VGA = [0, 4, 2, 6, 1, 5, 3, 7]
DEFAULT_ATTR = 0x07


class Screen:
    def __init__(self, cols=80, rows=25):
        self.cols, self.rows = cols, rows
        self.fg, self.bg = 7, 0
        self.row = self.col = 0
        self.wrap_pending = False
        self.autowrap = True
        self.cursor_visible = True
        self.cells = [[(" ", DEFAULT_ATTR)] * cols for _ in range(rows)]
        self._esc = None  # bytes of an escape sequence being collected

    # -- reading the result --

    def text(self):
        """Rows as strings, trailing blanks stripped (like Qemu.vga_text)."""
        return ["".join(c for c, _ in r).rstrip() for r in self.cells]

    def attr(self, row, col):
        return self.cells[row][col][1]

    # -- feeding bytes --

    def feed(self, data):
        for b in data:
            if self._esc is not None:
                self._esc_byte(b)
            elif b == 0x1b:
                self._esc = bytearray()
            elif b == 0x0d:
                self.col, self.wrap_pending = 0, False
            elif b == 0x0a:
                self._linefeed()
            elif b == 0x08:
                self.col, self.wrap_pending = max(0, self.col - 1), False
            elif b < 0x20 or b == 0x7f:
                pass
            else:
                self._put(chr(b) if b < 0x7f else "?")
        return self

    def _put(self, ch):
        if self.wrap_pending and self.autowrap:
            self.col = 0
            self._linefeed()
        self.wrap_pending = False
        self.cells[self.row][self.col] = (ch, self.bg << 4 | self.fg)
        if self.col == self.cols - 1:
            self.wrap_pending = True
        else:
            self.col += 1

    def _linefeed(self):
        self.wrap_pending = False
        if self.row == self.rows - 1:
            del self.cells[0]
            self.cells.append([(" ", self.bg << 4 | self.fg)] * self.cols)
        else:
            self.row += 1

    def _esc_byte(self, b):
        e = self._esc
        e.append(b)
        if len(e) == 1:
            if b == ord("["):
                return
            if b in b"()#":  # charset designation: one more byte
                return
            if b == ord("c"):  # RIS
                self.__init__(self.cols, self.rows)
            self._esc = None
            return
        if e[0] in b"()#":
            self._esc = None
            return
        # CSI: parameters 0x30-0x3f, intermediates 0x20-0x2f, final 0x40-0x7e
        if 0x40 <= b <= 0x7e:
            self._esc = None
            self._csi(e[1:-1].decode("latin-1"), chr(b))
        elif len(e) > 32:
            self._esc = None

    def _csi(self, params, final):
        private = params.startswith("?")
        nums = [int(p) if p.isdigit() else None for p in params.lstrip("?").split(";")]

        def n(i, default):
            return nums[i] if i < len(nums) and nums[i] is not None else default

        if private:
            on = final == "h"
            if final in "hl":
                for v in nums:
                    if v == 25:
                        self.cursor_visible = on
                    elif v == 7:
                        self.autowrap = on
            return
        self.wrap_pending = final in "m" and self.wrap_pending
        if final in "Hf":
            self.row = min(max(n(0, 1), 1), self.rows) - 1
            self.col = min(max(n(1, 1), 1), self.cols) - 1
        elif final == "A":
            self.row = max(0, self.row - n(0, 1))
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n(0, 1))
        elif final == "C":
            self.col = min(self.cols - 1, self.col + n(0, 1))
        elif final == "D":
            self.col = max(0, self.col - n(0, 1))
        elif final == "J":
            blank = (" ", self.bg << 4 | self.fg)
            mode = n(0, 0)
            for r in range(self.rows):
                for c in range(self.cols):
                    pos = (r, c)
                    if (mode == 2 or mode == 3 or (mode == 0 and pos >= (self.row, self.col))
                            or (mode == 1 and pos <= (self.row, self.col))):
                        self.cells[r][c] = blank
        elif final == "K":
            blank = (" ", self.bg << 4 | self.fg)
            mode = n(0, 0)
            for c in range(self.cols):
                if mode == 2 or (mode == 0 and c >= self.col) or (mode == 1 and c <= self.col):
                    self.cells[self.row][c] = blank
        elif final == "m":
            self._sgr([v if v is not None else 0 for v in nums])

    def _sgr(self, codes):
        for v in codes:
            if v == 0:
                self.fg, self.bg = 7, 0
            elif v == 1:
                self.fg |= 8
            elif 30 <= v <= 37:
                self.fg = ANSI_TO_VGA[v - 30]
            elif 90 <= v <= 97:
                self.fg = ANSI_TO_VGA[v - 90] | 8
            elif 40 <= v <= 47:
                self.bg = ANSI_TO_VGA[v - 40]
            elif 100 <= v <= 107:
                self.bg = ANSI_TO_VGA[v - 100] | 8
            elif v == 39:
                self.fg = 7
            elif v == 49:
                self.bg = 0


def screen_of(data, cols=80, rows=25):
    return Screen(cols, rows).feed(data)
