"""Issue 5 item 4: Keel finds its config partition behind AHCI, NVMe, USB
mass storage, virtio-blk and IDE, and its data survives a power cycle.

Each case boots a keel.selftest image twice from the same disk file: the
first boot finds the boot device and KEEL-CONFIG, writes a pattern with
boot counter 1 into the scratch area (the last 64 KiB of KEEL-CONFIG,
docs/blk.md), flushes and reads it back; the second boot must verify that
pattern, then write counter 2. Damaged partition tables: a broken primary
GPT header still finds the config partition through the backup; with both
headers broken the disk is refused with a clear line and Keel carries on.
"""
import re

from harness import BootFailure, Qemu

TIMEOUT = 120
# The core self-tests want a second CPU (as in test_acpi_power.py).
SMP = ["-smp", "2"]
# Every self-test passes on these boots too (disk interrupts and threads
# once exposed a scheduler bug in simd_preserved).
PASSED = r"selftest: \d+ passed, 0 failed"


def two_boots(name, disk, firmware="bios"):
    dev = {"ahci": r"ahci0", "nvme": r"nvme0n1", "usb": r"usb0", "virtio": r"vblk0",
           "ide": r"ata0"}[disk]
    with Qemu(name) as m:
        m.build_image("keel.selftest")
        m.start(firmware=firmware, disk=disk, extra=SMP)
        m.wait_exit([r"blk: boot device %s, config partition %sp3 \(8 MiB\)" % (dev, dev),
                     r"blk: scratch on %sp3: no pattern from a previous boot" % dev,
                     r"blk: scratch on %sp3: boot 1 pattern written, flushed and read back" % dev,
                     r"selftest: PASS blk_scratch", PASSED], TIMEOUT)
        m.start(firmware=firmware, disk=disk, extra=SMP)
        m.wait_exit([r"blk: scratch on %sp3: boot 1 pattern verified" % dev,
                     r"blk: scratch on %sp3: boot 2 pattern written, flushed and read back" % dev,
                     r"selftest: PASS blk_scratch", PASSED], TIMEOUT)


def test_ahci_bios():
    two_boots("storage-ahci", "ahci")


def test_nvme_bios():
    two_boots("storage-nvme", "nvme")


def test_usb_bios():
    two_boots("storage-usb", "usb")


def test_usb_uefi():
    two_boots("storage-usb-uefi", "usb", firmware="uefi")


def test_ide_bios():
    # PIIX3 IDE in compatibility mode, PIO (drivers/ata.c).
    two_boots("storage-ide", "ide")


def test_virtio_blk_bios():
    two_boots("storage-virtio", "virtio")


def test_ahci_uefi():
    two_boots("storage-ahci-uefi", "ahci", firmware="uefi")


def corrupt_header_crc(path, lba):
    """Flip the header CRC32 (offset 16) of the GPT header at @lba. GRUB
    2.06 only checks the signature, so the image still boots; Keel's
    reader (UEFI 2.9 5.3.2) must reject the header."""
    with open(path, "r+b") as f:
        f.seek(lba * 512 + 16)
        crc = f.read(4)
        f.seek(lba * 512 + 16)
        f.write(bytes(b ^ 0xff for b in crc))


def test_gpt_primary_corrupt_uses_backup():
    with Qemu("storage-gpt-primary") as m:
        img = m.build_image("keel.selftest")
        corrupt_header_crc(img, 1)
        m.start(disk="ahci", extra=SMP)
        m.wait_exit([r"gpt: ahci0: primary GPT header bad \(.*\); using the backup at LBA 61439",
                     r"blk: boot device ahci0, config partition ahci0p3 \(8 MiB\)",
                     r"blk: scratch on ahci0p3: boot 1 pattern written", PASSED], TIMEOUT)


def test_gpt_both_corrupt_refused():
    with Qemu("storage-gpt-both") as m:
        img = m.build_image("keel.selftest")
        corrupt_header_crc(img, 1)
        corrupt_header_crc(img, 61439)
        m.start(disk="ahci", extra=SMP)
        text = m.wait_exit([r"gpt: ahci0: no valid GPT \(primary: .*; backup: .*\); refusing the disk",
                            r"blk: ahci0: partition table refused",
                            r"blk: scratch round trip skipped: no config partition found",
                            r"selftest: PASS blk_scratch", PASSED], TIMEOUT)
        if re.search(r"blk: ahci0p\d", text):
            raise BootFailure("partitions registered from a refused table:\n" + text)
