"""Issue 5: Keel on its USB stick (qemu-xhci + usb-storage), USB keyboards.

The image boots from a usb-storage device on a qemu-xhci controller (the
way ./build.sh run and a server's internal stick boot it) under BIOS and
UEFI; Keel's own xHCI driver must then find the stick as usb0 with the
image's capacity and read its GPT. A second, scratch usb-storage disk
gets a pattern written, flushed and read back by the kernel
(keel.blktest), and the bytes are checked in the disk file on the host
after QEMU is gone. A usb-kbd on the same controller delivers keys typed
with the monitor's sendkey to the console key queue (keel.keytest); the
PS/2 controller is switched off so the keys can only have come over USB.
"""
import os
import re

from harness import BootFailure, Qemu, blktest_line, check_blktest

TIMEOUT = 120
SCRATCH_MIB = 8


def scratch_args(m):
    path = os.path.join(m.dir, "scratch.img")
    with open(path, "wb") as f:
        f.truncate(SCRATCH_MIB << 20)
    return path, ["-drive", "file=%s,format=raw,if=none,id=scratch" % path,
                  "-device", "usb-storage,bus=xhci.0,drive=scratch"]


def boot_from_usb(firmware):
    with Qemu("usb-" + firmware) as m:
        m.build_image("keel.blktest=usb1")
        path, extra = scratch_args(m)
        m.start(firmware=firmware, disk="usb", extra=extra + ["-nic", "none"])
        text = m.wait_for([
            r"keel: boot complete",
            r"pci: \S+ \[0c03\] 1b36:000d .*\(driver xhci\)",
            r"xhci0: (MSI-X|MSI) vector \d+",
            # The boot stick: the 30 MiB image, and its partitions read.
            r"usb0: usb-p\d+ QEMU .*, 61440 sectors of 512 bytes \(30 MiB\)",
            r"blk: usb0: GPT, 3 partition\(s\): BIOS-BOOT KEEL-BOOT KEEL-CONFIG",
            r"usb1: usb-p\d+ QEMU .*, %d sectors of 512 bytes" % (SCRATCH_MIB * 2048),
            blktest_line("usb1"),
        ], TIMEOUT)
        m.stop()
        if re.search(r"usb.*(malformed|timed out|failed|dropped)", text):
            raise BootFailure("QEMU's USB devices were reported as bad:\n" + text)
        check_blktest(path)


def test_usb_boot_bios():
    boot_from_usb("bios")


def test_usb_boot_uefi():
    boot_from_usb("uefi")


def test_usb_keyboard():
    keys = [("a", "a"), ("shift-a", "A"), ("f2", "F2"), ("ret", "Enter"),
            ("up", "Up"), ("shift-1", "!"), ("esc", "Esc"), ("pgdn", "PgDn")]
    with Qemu("usb-kbd") as m:
        m.build_image("keel.keytest")
        m.start(firmware="bios", disk="usb",
                extra=["-machine", "pc,i8042=off", "-nic", "none",
                       "-device", "usb-kbd,bus=xhci.0"])
        m.wait_for([r"usb-p\d+: USB keyboard \(boot protocol\)",
                    r"keytest: ready"], TIMEOUT)
        for send, _ in keys:
            m.monitor("sendkey " + send)
        text = m.wait_for([r"^keytest: %s$" % re.escape(name) for _, name in keys],
                          30)
        got = re.findall(r"^keytest: (\S+)$", text, re.M)
        if got != [name for _, name in keys]:
            raise BootFailure("keys arrived as %s, not once each in order:\n%s"
                              % (got, text))


def test_usb_hot_unplug():
    # A disk pulled out while Keel runs is dropped and unregistered, and
    # one plugged in is enumerated: port change events, no hang.
    with Qemu("usb-hotplug") as m:
        m.copy_image()
        path, _ = scratch_args(m)
        m.start(firmware="bios", disk="usb", extra=["-nic", "none"])
        m.wait_for([r"keel: boot complete", r"blk: usb0: GPT"], TIMEOUT)
        m.monitor("drive_add 0 if=none,id=hot,format=raw,file=" + path)
        m.monitor("device_add usb-storage,bus=xhci.0,drive=hot,id=hotdisk")
        m.wait_for([r"usb1: usb-p\d+ QEMU .*, %d sectors" % (SCRATCH_MIB * 2048),
                    r"gpt: usb1: no protective MBR; not a GPT disk"], 60)
        m.monitor("device_del hotdisk")
        m.wait_for([r"usb1: removed", r"usb-p\d+: dropped"], 60)


def test_usb_nec_polled():
    # The other xHCI model QEMU has (NEC uPD720200), driven without
    # interrupts: the polled fallback moves data and keys too.
    with Qemu("usb-nec") as m:
        m.build_image("keel.blktest=usb0 keel.xhci_poll keel.keytest")
        path, _ = scratch_args(m)
        m.start(firmware="bios", disk="ide",
                extra=["-nic", "none", "-machine", "pc,i8042=off",
                       "-device", "nec-usb-xhci,id=nec",
                       "-drive", "file=%s,format=raw,if=none,id=scratch" % path,
                       "-device", "usb-storage,bus=nec.0,drive=scratch",
                       "-device", "usb-kbd,bus=nec.0"])
        m.wait_for([r"pci: \S+ \[0c03\] 1033:0194 .*\(driver xhci\)",
                    r"xhci0: polling \(keel.xhci_poll\)",
                    blktest_line("usb0"),
                    r"USB keyboard", r"keytest: ready"], TIMEOUT)
        m.monitor("sendkey f12")
        m.wait_for([r"^keytest: F12$"], 30)
        m.stop()
        check_blktest(path)


def test_usb_disk_error():
    # A disk that fails a transfer (QEMU blkdebug injects EIO at LBA 2100,
    # inside keel.blktest's range): the SCSI command ends in CHECK
    # CONDITION, Keel reads the sense data, logs it, and the caller gets
    # an error; nothing hangs.
    with Qemu("usb-ioerr") as m:
        m.build_image("keel.blktest=usb1")
        path, _ = scratch_args(m)
        rules = os.path.join(m.dir, "blkdebug.conf")
        with open(rules, "w") as f:
            f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "2100"\n')
        m.start(firmware="bios", disk="usb",
                extra=["-nic", "none",
                       "-drive", "file=blkdebug:%s:%s,format=raw,if=none,id=scratch"
                       % (rules, path),
                       "-device", "usb-storage,bus=xhci.0,drive=scratch"])
        text = m.wait_for([r"keel: boot complete",
                           r"usb1: SCSI (28|2a) failed: sense [0-9a-f]/[0-9a-f]{2}/",
                           r"blktest: usb1: I/O error -5"], TIMEOUT)
        if "back 307200 bytes" in text:
            raise BootFailure("the injected error went unnoticed:\n" + text)
