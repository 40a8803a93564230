#!/usr/bin/python3
"""Build Keel's bootable disk image (GPT; GRUB for BIOS and UEFI).

    image/mkimage.py --elf build/keel.elf --out build/keel.img \
        --work build/image [--cmdline "keel.selftest ..."] \
        [--file keel.cfg=path/to/keel.cfg ...]

Needs no root and no loop devices: sgdisk writes the partition table into
the image file, mtools formats and fills the FAT boot partition in a
separate file, grub-mkimage builds both GRUB images, and this script patches
the BIOS boot code the way grub-bios-setup does. The layout and the reasons
for it are in docs/image.md.
"""

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys

KiB, MiB, SECTOR = 1024, 1024 * 1024, 512

# The image is 30 MiB so that it fits a stick sold as "32 MB" (often fewer
# than 32 MiB). Partitions are 1 MiB aligned; the last MiB holds the backup
# GPT (33 sectors) and keeps the config partition aligned too.
IMAGE_SIZE = 30 * MiB
IMAGE_LIMIT = 32 * MiB

# Fixed GUIDs keep two builds of the same keel.elf byte-identical. Every
# stick written from an image shares them, as with any dd-ed image.
DISK_GUID = "969BC4E8-9527-4FA4-A64D-B273A91120DD"
# Partition type of Keel's config store (store/ formats it). Made up once
# for Keel with uuid4; never change it: installed hosts find their config
# partition by this type.
KEEL_CONFIG_TYPE_GUID = "17D6148D-1D67-4857-9FFF-E6932EA1331B"

# (number, GPT name, type, start, size, unique partition GUID)
PARTITIONS = [
    (1, "BIOS-BOOT", "EF02", 1 * MiB, 1 * MiB,
     "46E30499-FD70-4B1E-8A3A-29A09EC489F9"),
    (2, "KEEL-BOOT", "EF00", 2 * MiB, 19 * MiB,
     "E854D6F8-B84F-47AC-9984-5B6EC1E63CF2"),
    (3, "KEEL-CONFIG", KEEL_CONFIG_TYPE_GUID, 21 * MiB, 8 * MiB,
     "ACEF4D1C-B40A-4CF1-8F2A-FB3C6E91B3B1"),
]
BIOS_BOOT, ESP = PARTITIONS[0], PARTITIONS[1]

FAT_LABEL = "KEELBOOT"     # GRUB's early config searches for this label
FAT_SERIAL = "4b45454c"    # "KEEL"; fixed for reproducible builds
# FAT timestamps when SOURCE_DATE_EPOCH is unset: 2024-01-01 00:00 UTC.
DEFAULT_EPOCH = "1704067200"

GRUB_LIB = "/usr/lib/grub"
COMMON_MODULES = [
    "part_gpt", "part_msdos", "fat", "multiboot2", "normal", "configfile",
    "search", "search_label", "search_fs_uuid", "search_fs_file", "echo",
    "test", "serial", "terminal", "terminfo", "video", "all_video", "boot",
    "halt", "reboot", "sleep", "ls", "cat", "minicmd",
]
GRUB_TARGETS = {
    "i386-pc": COMMON_MODULES + ["biosdisk", "vbe", "vga"],
    "x86_64-efi": COMMON_MODULES + ["efi_gop", "efi_uga"],
}

# Built into both GRUB images (grub-mkimage -c) and run by GRUB's rescue
# parser, which has no `if`. It puts GRUB's messages on COM1 too, so errors
# are seen on a headless server even before grub.cfg is found; terminfo
# "dumb" because the default vt100 clears the screen when the terminal is
# enabled, the only thing GRUB would otherwise send there on a good boot.
# The boot partition is found by its FAT label, not the BIOS drive number or
# the UEFI device path, trying the disk GRUB came from first (the hint) so
# that a second disk holding an old Keel image does not win.
EARLY_CFG = f"""\
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminfo serial dumb
terminal_input --append serial
terminal_output --append serial
search --no-floppy --set=root --label {FAT_LABEL} --hint ${{root}},
set prefix=($root)/boot/grub
"""

# Words GRUB's script parser passes through unchanged into the command line.
CMDLINE_WORD = re.compile(r"^[A-Za-z0-9._,:/=+@%-]+$")

# Offsets in GRUB's i386-pc boot.img and core.img (include/grub/i386/pc/
# boot.h, grub-core/boot/i386/pc/diskboot.S), as used by util/setup.c.
BOOT_BPB_START, BOOT_BPB_END = 0x03, 0x5A
BOOT_KERNEL_SECTOR = 0x5C      # u64 LBA of core.img's first sector
BOOT_DRIVE = 0x64              # 0xff: use the drive the BIOS passed in DL
BOOT_DRIVE_CHECK = 0x66        # 2-byte jmp; nop-ed for hard disks
MBR_CODE_END = 0x1B8           # disk signature and partition table follow
BLOCKLIST_SIZE = 12            # u64 start, u16 sectors, u16 segment
CORE_LOAD_SEGMENT = 0x820      # 0x8000 + one sector, where sector 2 goes
CORE_MAX = 0x78000 - 0x8000    # grub-setup's limit for the embedded core


def die(msg):
    sys.exit(f"image: {msg}")


def run(*cmd, env=None):
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        die(f"{' '.join(cmd)} failed:\n{r.stdout.strip()}")
    return r.stdout


def check_tools():
    for tool in ("sgdisk", "mformat", "mmd", "mcopy", "grub-mkimage",
                 "grub-file", "strip"):
        if not shutil.which(tool):
            die(f"{tool} not found; run ./build.sh deps")
    for target in GRUB_TARGETS:
        for mod in GRUB_TARGETS[target]:
            if not os.path.exists(f"{GRUB_LIB}/{target}/{mod}.mod"):
                die(f"{GRUB_LIB}/{target}/{mod}.mod not found; "
                    "run ./build.sh deps")
    if not os.path.exists(f"{GRUB_LIB}/i386-pc/boot.img"):
        die(f"{GRUB_LIB}/i386-pc/boot.img not found; run ./build.sh deps")


def grub_images(work):
    early = os.path.join(work, "early.cfg")
    with open(early, "w") as f:
        f.write(EARLY_CFG)
    out = {}
    for target, mods in GRUB_TARGETS.items():
        name = "core.img" if target == "i386-pc" else "BOOTX64.EFI"
        out[target] = os.path.join(work, name)
        # -p is overridden by the early config; all modules are embedded,
        # so no module directory is needed on the disk.
        run("grub-mkimage", "-O", target, "-d", f"{GRUB_LIB}/{target}",
            "-p", "/boot/grub", "-c", early, "-o", out[target], *mods)
    return out["i386-pc"], out["x86_64-efi"]


def grub_cfg(work, cmdline):
    words = cmdline.split()
    for w in words:
        if not CMDLINE_WORD.match(w):
            die(f"--cmdline word {w!r} has characters GRUB would "
                "interpret; use only A-Z a-z 0-9 . _ , : / = + @ % -")
    template = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "grub.cfg")
    with open(template) as f:
        text = f.read()
    if text.count("@KEEL_CMDLINE@") != 1:
        die(f"{template} must contain @KEEL_CMDLINE@ exactly once")
    text = text.replace(" @KEEL_CMDLINE@", "".join(" " + w for w in words))
    path = os.path.join(work, "grub.cfg")
    with open(path, "w") as f:
        f.write(text)
    return path


def boot_partition(work, files):
    """Format the ESP in its own file and copy `files` (dest -> src) in."""
    _, _, _, start, size, _ = ESP
    need = sum(os.path.getsize(src) for src in files.values())
    if need > size - 1 * MiB:    # leave room for FATs, root dir, slack
        die(f"boot partition files need {need // KiB} KiB, more than the "
            f"{size // MiB} MiB partition holds")
    path = os.path.join(work, "esp.img")
    with open(path, "wb") as f:
        f.truncate(size)
    # mtools stamps files with SOURCE_DATE_EPOCH, in local time: pin both.
    env = dict(os.environ, MTOOLSRC="/dev/null", MTOOLS_SKIP_CHECK="1",
               TZ="UTC0")
    env.setdefault("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)
    img = ["-i", path]
    # -H: the partition's start LBA goes into the BPB's hidden-sectors
    # field. mformat picks FAT16 for this size (UEFI reads FAT12/16/32).
    run("mformat", *img, "-T", str(size // SECTOR), "-h", "64", "-s", "32",
        "-H", str(start // SECTOR), "-v", FAT_LABEL, "-N", FAT_SERIAL, "::",
        env=env)
    # Every parent directory of every file, parents first.
    dirs = {"/".join(dest.split("/")[:i])
            for dest in files for i in range(2, dest.count("/") + 1)}
    for d in sorted(dirs):
        run("mmd", *img, "::" + d, env=env)
    for dest, src in files.items():
        run("mcopy", *img, src, "::" + dest, env=env)
    return path


# Extra files for the root of the boot partition (--file), e.g. keel.cfg
# for an unattended first boot (docs/firstboot.md).
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def extra_files(specs, fixed):
    out, seen = [], set(k.lower() for k in fixed)
    seen |= {"/efi", "/boot"}
    for spec in specs:
        name, sep, src = spec.partition("=")
        if not sep or not FILE_NAME.match(name):
            die(f"--file {spec!r}: give NAME=PATH, NAME a plain file name "
                "(A-Z a-z 0-9 . _ -) for the root of the boot partition")
        if "/" + name.lower() in seen:
            die(f"--file {name}: the boot partition already has that name")
        if not os.path.isfile(src):
            die(f"--file {name}: {src} not found")
        seen.add("/" + name.lower())
        out.append((name, src))
    return out


def patch_bios_boot(img, core_path):
    """Do what grub-bios-setup does for a GPT disk with a BIOS boot partition.

    The MBR gets boot.img's code, which loads core.img's first sector
    (diskboot) from the LBA patched in at 0x5c; diskboot then reads the rest
    of core.img using the blocklist at the end of that first sector.
    """
    _, _, _, start, size, _ = BIOS_BOOT
    lba = start // SECTOR
    with open(f"{GRUB_LIB}/i386-pc/boot.img", "rb") as f:
        boot = bytearray(f.read())
    with open(core_path, "rb") as f:
        core = bytearray(f.read())
    if len(boot) != SECTOR:
        die("boot.img is not 512 bytes")
    if len(core) > min(size, CORE_MAX):
        die(f"core.img is {len(core) // KiB} KiB, more than the "
            f"{min(size, CORE_MAX) // KiB} KiB GRUB can load")
    nsec = (len(core) + SECTOR - 1) // SECTOR
    core += bytes(nsec * SECTOR - len(core))

    img.seek(0)
    mbr = img.read(SECTOR)
    # Keep whatever BPB the disk has (none: sgdisk leaves zeros).
    boot[BOOT_BPB_START:BOOT_BPB_END] = mbr[BOOT_BPB_START:BOOT_BPB_END]
    # A USB stick or disk is a hard disk: enable the workaround for BIOSes
    # that pass a wrong drive number, force 0x80 if DL has bit 7 clear.
    boot[BOOT_DRIVE_CHECK:BOOT_DRIVE_CHECK + 2] = b"\x90\x90"
    boot[BOOT_DRIVE] = 0xFF
    struct.pack_into("<Q", boot, BOOT_KERNEL_SECTOR, lba)

    # Clear the default blocklist(s) from the end of sector 0 backwards,
    # then describe the rest of core.img as one contiguous run.
    first = SECTOR - BLOCKLIST_SIZE
    off = first
    while struct.unpack_from("<H", core, off + 8)[0]:
        core[off:off + BLOCKLIST_SIZE] = bytes(BLOCKLIST_SIZE)
        off -= BLOCKLIST_SIZE
        if off <= 0:
            die("core.img has no blocklist terminator")
    struct.pack_into("<QHH", core, first, lba + 1, nsec - 1,
                     CORE_LOAD_SEGMENT)
    # The entry before it stays all zero: the terminator.

    # Only the code area: the disk signature, the protective MBR's
    # partition entry and the 0x55aa signature stay as sgdisk wrote them.
    img.seek(0)
    img.write(boot[:MBR_CODE_END])
    img.seek(start)
    img.write(core)
    return len(core)


def build(args):
    check_tools()
    os.makedirs(args.work, exist_ok=True)
    if subprocess.run(["grub-file", "--is-x86-multiboot2",
                       args.elf]).returncode:
        die(f"{args.elf} has no valid Multiboot2 header")

    # The image carries a stripped copy; build/keel.elf keeps its debug
    # info for gdb. The symbol table stays for symbolic panic backtraces.
    elf = os.path.join(args.work, "keel.elf")
    run("strip", "--strip-debug", "-o", elf, args.elf)
    core, efi = grub_images(args.work)
    cfg = grub_cfg(args.work, args.cmdline)
    files = {
        "/EFI/BOOT/BOOTX64.EFI": efi,
        "/boot/grub/grub.cfg": cfg,
        "/keel.elf": elf,
    }
    for name, src in extra_files(args.file, files):
        files["/" + name] = src
    esp = boot_partition(args.work, files)

    tmp = os.path.join(args.work, "keel.img")
    with open(tmp, "wb") as f:
        f.truncate(IMAGE_SIZE)
    sg = ["sgdisk", "--clear", f"--disk-guid={DISK_GUID}"]
    for num, name, typ, start, size, guid in PARTITIONS:
        first, last = start // SECTOR, (start + size) // SECTOR - 1
        sg += [f"--new={num}:{first}:{last}", f"--typecode={num}:{typ}",
               f"--change-name={num}:{name}",
               f"--partition-guid={num}:{guid}"]
    run(*sg, tmp)

    with open(tmp, "r+b") as img:
        core_size = patch_bios_boot(img, core)
        img.seek(ESP[3])
        with open(esp, "rb") as f:
            shutil.copyfileobj(f, img)
        img.seek(0, os.SEEK_END)
        if img.tell() != IMAGE_SIZE or IMAGE_SIZE > IMAGE_LIMIT:
            die(f"image grew to {img.tell()} bytes, limit {IMAGE_LIMIT}")
    verify = run("sgdisk", "--verify", tmp)
    if "No problems found" not in verify:    # sgdisk exits 0 regardless
        die(f"sgdisk --verify {tmp}:\n{verify.strip()}")
    # Built aside and moved in, so a failed build leaves no half image.
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    shutil.move(tmp, args.out)

    kib = lambda p: os.path.getsize(p) // KiB
    print(f"image: {args.out} {IMAGE_SIZE // MiB} MiB (keel.elf {kib(elf)} "
          f"KiB stripped, BOOTX64.EFI {kib(efi)} KiB, core.img "
          f"{core_size // KiB} KiB)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--elf", required=True, help="the linked kernel")
    p.add_argument("--out", required=True, help="the disk image to write")
    p.add_argument("--work", required=True, help="scratch directory")
    p.add_argument("--cmdline", default="",
                   help="extra kernel command-line words, e.g. keel.selftest")
    p.add_argument("--file", action="append", default=[],
                   metavar="NAME=PATH",
                   help="also put PATH at the root of the boot partition "
                   "as NAME (repeatable), e.g. keel.cfg=site/keel.cfg")
    args = p.parse_args()
    if not os.path.isfile(args.elf):
        die(f"{args.elf} not found")
    build(args)


if __name__ == "__main__":
    main()
