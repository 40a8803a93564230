"""Issue 7: the datastore on a second disk survives a reboot.

Each case boots a keel.selftest image twice with keel.dstest=DISK and
the same blank second disk (mgmt/rpc_ds_selftest.c). Boot 1: the boot
scan finds no datastore, datastore.format makes one on DISK,
dstest/boot1.bin (5 MiB + 77 bytes) is uploaded in 1 MiB chunks through
rpc_handle() and read back, dstest/partial.bin gets 5 of its 6 MiB.
Boot 2: the scan mounts the datastore, boot1.bin reads back with the
same SHA-256, partial.bin resumes from the progress boot 1 made durable
(4 MiB: progress is committed every 4 MiB) and completes.

Then this file reads the disk image itself with an independent reader
of the on-disk format of docs/datastore.md (superblock, the newer of the
two CRC-checked metadata copies, extents) and checks both files' bytes
and SHA-256 against the pattern the self-test wrote.
"""
import hashlib
import os
import re
import struct
import zlib

from harness import BootFailure, Qemu

TIMEOUT = 240
SMP = ["-smp", "2"]
# Only this file's self-test must pass: timing self-tests of other rooms
# can fail on a loaded host, and they are checked elsewhere.
PASSED = r"selftest: \d+ passed, \d+ failed"
BLOCK = 4096
MIB = 1 << 20
BOOT1_SIZE = 5 * MIB + 77
PARTIAL_SIZE = 6 * MIB + 5

SECOND = {
    "nvme": ("nvme0n1", ["-device", "nvme,serial=ds0,drive=ds"]),
    "virtio": ("vblk0", ["-device", "virtio-blk-pci,drive=ds,disable-legacy=on"]),
    "ahci": ("ahci0", ["-device", "ahci,id=ahci2", "-device", "ide-hd,drive=ds,bus=ahci2.0"]),
}


def pattern(seed, size):
    """Byte i is (i * 131 + (i >> 12) * 17 + seed * 29) & 0xff."""
    out = bytearray(size)
    for blk in range(0, size, BLOCK):
        base = ((blk >> 12) * 17 + seed * 29) & 0xff
        n = min(BLOCK, size - blk)
        out[blk:blk + n] = bytes(((blk + i) * 131 + base) & 0xff for i in range(n))
    return bytes(out)


def read_datastore(path):
    """Parse a datastore image: {name: (state, size, received, sha256, bytes)}."""
    with open(path, "rb") as f:
        img = f.read()
    sb = img[:BLOCK]
    if sb[:8] != b"KEELDSTR":
        raise BootFailure("%s: no datastore superblock" % path)
    (version, bsize) = struct.unpack_from("<II", sb, 8)
    uuid = sb[16:32]
    label = sb[32:96].split(b"\0")[0].decode()
    (blocks, m0, m1, mblocks, files_max, dstart, dblocks, extmax, crc) = \
        struct.unpack_from("<QQQIIQQII", sb, 96)
    end = 96 + struct.calcsize("<QQQIIQQI")
    if zlib.crc32(sb[:end]) != crc or version != 1 or bsize != BLOCK:
        raise BootFailure("%s: superblock CRC/version/block size wrong" % path)
    best = None
    for start in (m0, m1):
        t = img[start * BLOCK:(start + mblocks) * BLOCK]
        if t[:8] != b"KEELDSMT":
            continue
        (ver, count, seq) = struct.unpack_from("<IIQ", t, 8)
        (esize, tcrc) = struct.unpack_from("<II", t, 40)
        body = bytearray(t[:64 + count * esize])
        body[44:48] = b"\0\0\0\0"
        if t[24:40] != uuid or zlib.crc32(bytes(body)) != tcrc:
            continue
        if best is None or seq > best[0]:
            best = (seq, t, count, esize)
    if best is None:
        raise BootFailure("%s: no valid metadata copy" % path)
    seq, t, count, esize = best
    files = {}
    for i in range(count):
        e = t[64 + i * esize:64 + (i + 1) * esize]
        name = e[:128].split(b"\0")[0].decode()
        size, received, state, next, flags = struct.unpack_from("<QQIII", e, 128)
        sha = e[160:192].hex()
        data = b""
        for x in range(next):
            start, n = struct.unpack_from("<QQ", e, 192 + 16 * x)
            data += img[start * BLOCK:(start + n) * BLOCK]
        files[name] = (state, size, received, sha, data[:received])
    return label, files


def two_boots(name, second, boot_disk="ahci"):
    dev, args = SECOND[second]
    with Qemu(name) as m:
        m.build_image("keel.selftest keel.dstest=%s" % dev)
        ds = os.path.join(m.dir, "datastore.img")
        with open(ds, "wb") as f:
            f.truncate(64 * MIB)
        extra = SMP + ["-drive", "file=%s,format=raw,if=none,id=ds" % ds] + args
        m.start(disk=boot_disk, extra=extra)
        m.wait_exit([r"datastore: %s \(64 MiB\): no datastore" % dev,
                     r"datastore: formatting %s \(64 MiB\) as \"dstest\"" % dev,
                     r"datastore: dstest/boot1.bin complete: %d bytes" % BOOT1_SIZE,
                     r"dstest: boot 1: formatted %s" % dev,
                     r"ds_selftest: \d+ bytes uploaded through rpc_handle",
                     r"selftest: PASS ds_rpc$",
                     PASSED], TIMEOUT)
        label, files = read_datastore(ds)
        b1 = pattern(1, BOOT1_SIZE)
        st, size, got, sha, data = files["dstest/boot1.bin"]
        if (label, st, size, got) != ("dstest", 2, BOOT1_SIZE, BOOT1_SIZE) or \
                data != b1 or sha != hashlib.sha256(b1).hexdigest():
            raise BootFailure("boot 1: boot1.bin on the disk is not the file sent")
        st, size, got, sha, data = files["dstest/partial.bin"]
        part = pattern(2, PARTIAL_SIZE)
        if st != 1 or got != 4 * MIB or data != part[:got]:
            raise BootFailure("boot 1: partial.bin state %d, %d bytes recorded "
                              "(want uploading, 4 MiB of the pattern)" % (st, got))

        m.start(disk=boot_disk, extra=extra)
        text = m.wait_exit(
            [r"datastore: mounted \"dstest\" on %s \(uuid [0-9a-f-]{36}\): 2 file\(s\)" % dev,
             r"datastore: dstest/partial.bin: upload in progress, 4194304 of %d bytes"
             % PARTIAL_SIZE,
             r"dstest: boot 2: dstest/boot1.bin read back, SHA-256 %s"
             % hashlib.sha256(b1).hexdigest(),
             r"dstest: boot 2: .*partial.bin resumed at 4194304 and completed",
             r"ds_selftest: RAM-disk test skipped: the datastore on %s is mounted" % dev,
             r"selftest: PASS ds_rpc$", PASSED], TIMEOUT)
        label, files = read_datastore(ds)
        st, size, got, sha, data = files["dstest/partial.bin"]
        if st != 2 or data != part or sha != hashlib.sha256(part).hexdigest():
            raise BootFailure("boot 2: partial.bin on the disk is not complete and "
                              "equal to the file sent")
        if re.search(r"datastore: .*damaged", text):
            raise BootFailure("a file was found damaged:\n" + text)


def test_nvme():
    two_boots("datastore-nvme", "nvme")


def test_virtio_blk():
    two_boots("datastore-virtio", "virtio")


def test_ahci():
    two_boots("datastore-ahci", "ahci", boot_disk="nvme")
