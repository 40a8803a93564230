#!/usr/bin/python3
"""Boot figures: image sizes, instructions and wall time to a booted Keel.

Prints figures; never fails on a number. Instructions are counted with QEMU
`-icount shift=0`, where the guest TSC advances one tick per instruction, so
the `TSC ticks since entry` Keel logs at the end of boot is the number of
instructions from its 32-bit entry point to `boot complete`.
Usage: bench/boot.py   (after ./build.sh)
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import BUILD, IMAGE, Qemu  # noqa: E402

DONE = r"keel: boot complete in (\d+) ms \((\d+) TSC ticks since entry\)"


def stripped_size(elf):
    out = os.path.join(BUILD, "bench-keel.stripped")
    subprocess.run(["strip", "-o", out, elf], check=True)
    size = os.path.getsize(out)
    os.unlink(out)
    return size


def boot(firmware, icount):
    with Qemu("bench-%s" % firmware) as m:
        m.copy_image()
        t0 = time.monotonic()
        m.start(firmware=firmware, disk="usb",
                extra=["-icount", "shift=0"] if icount else [])
        text = m.wait_for([r"^Keel "], 120)
        t_banner = time.monotonic() - t0
        text = m.wait_for([DONE], 120)
        t_done = time.monotonic() - t0
        ms, ticks = re.search(DONE, text).groups()
        return t_banner, t_done, int(ticks)


def main():
    elf = os.path.join(BUILD, "keel.elf")
    print("size: keel.elf %d KiB stripped (%d KiB with symbols)"
          % (stripped_size(elf) >> 10, os.path.getsize(elf) >> 10))
    print("size: keel.img %.1f MiB" % (os.path.getsize(IMAGE) / 2**20))
    for fw in ("bios", "uefi"):
        t_banner, t_done, _ = boot(fw, icount=False)
        print("boot %s (QEMU TCG, USB stick): banner after %.1f s, boot complete "
              "after %.1f s wall from power-on" % (fw, t_banner, t_done))
        _, _, ins = boot(fw, icount=True)
        print("boot %s: %d instructions (%.1f M) from Keel's entry to boot complete"
              % (fw, ins, ins / 1e6))


main()
