#!/usr/bin/env bash
# tools/linux_guest.sh: the stock Linux guest of the issue-8 tests and benches.
#
# Produces, from Debian binary packages pinned in tools/versions:
#   $BUILD/linux/vmlinuz     the kernel of linux-image-$LINUX_ABI, untouched
#   $BUILD/linux/initrd.img  gzip'd newc cpio: busybox-static, the virtio
#                            (pci, blk, console, rng) and ext4 modules of that
#                            same kernel, and a small /init (docs/linux-guest.md)
# Nothing of it is committed. The .debs are cached in $BUILD/linux/dl and a
# stamp (pins + hash of this script) makes a second run do nothing.
# Needs only apt-get (download), dpkg-deb, gzip, gcc and python3:
# modules.dep comes from the packaged busybox's depmod, the archive from a
# few lines of Python below (no cpio or kmod needed).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
. tools/versions

B=${BUILD:-build}
[[ $B == /* ]] || B=$ROOT/$B
OUT=$B/linux DL=$B/linux/dl
KPKG=linux-image-$LINUX_ABI

say() { echo "linux_guest: $*"; }
die() { echo "linux_guest: $*" >&2; exit 1; }

# The modules /init loads, by path under kernel/; their dependencies are
# added from modules.dep. crc32c_generic: ext4's soft dependency
# (MODULE_SOFTDEP "pre: crc32c", needed for metadata_csum), generic so it
# loads on CPUs without SSE4.2.
MODULES=(drivers/virtio/virtio_pci drivers/block/virtio_blk
	drivers/char/virtio_console drivers/char/hw_random/virtio-rng
	crypto/crc32c_generic fs/ext4/ext4)

stamp_key() {
	{ echo "$LINUX_ABI $LINUX_DEB $BUSYBOX_DEB"; cat "${BASH_SOURCE[0]}" tools/linux_guest_*.c; } |
		sha256sum | cut -c1-16
}

KEY=$(stamp_key)
up_to_date() {
	[[ -f $OUT/vmlinuz && -f $OUT/initrd.img && $(cat "$OUT/.stamp" 2>/dev/null) == "$KEY" ]]
}
up_to_date && exit 0

# Two test runs at once: one builds, the other waits and finds it done.
mkdir -p "$DL"
exec 9>"$OUT/.lock"
flock 9
up_to_date && exit 0

# deb_file PKG VERSION: the cached .deb's path (apt-get download's naming,
# the epoch's ':' escaped as %3a).
deb_file() { echo "$DL/${1}_${2/:/%3a}_amd64.deb"; }

# fetch PKG VERSION: download the pinned binary package once. apt checks
# it against the archive's signed index; we check the control fields.
fetch() {
	local pkg=$1 ver=$2 f
	f=$(deb_file "$pkg" "$ver")
	if [[ ! -f $f ]]; then
		if ! apt-cache show "$pkg=$ver" >/dev/null 2>&1; then
			if ((EUID == 0)); then
				say "apt-get update (no $pkg $ver in the package index)"
				apt-get update >"$OUT/apt.log" 2>&1 || die "apt-get update failed, see $OUT/apt.log"
			fi
			apt-cache show "$pkg=$ver" >/dev/null 2>&1 || die "$pkg $ver is not in" \
				"the archive (apt-cache policy $pkg: $(apt-cache policy "$pkg" 2>/dev/null |
				sed -n 's/ *Candidate: //p')); update LINUX_ABI/LINUX_DEB/BUSYBOX_DEB" \
				"in tools/versions after testing"
		fi
		say "downloading $pkg $ver"
		(cd "$DL" && apt-get download "$pkg=$ver" >"$OUT/download.log" 2>&1) ||
			die "apt-get download $pkg=$ver failed, see $OUT/download.log"
	fi
	[[ $(dpkg-deb -f "$f" Package) == "$pkg" && $(dpkg-deb -f "$f" Version) == "$ver" ]] ||
		die "$f is not $pkg $ver; delete it and run again"
}

# Tell (do not stop) when bookworm's linux-image-amd64 has moved on: the
# pinned kernel still works while the archive (or our cache) has it.
check_meta() {
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1)
	[[ -z $dep || $dep == "$KPKG" ]] ||
		say "note: linux-image-amd64 now resolves to $dep, tools/versions pins $KPKG $LINUX_DEB"
}

check_meta
fetch "$KPKG" "$LINUX_DEB"
fetch busybox-static "$BUSYBOX_DEB"

T=$OUT/tmp
rm -rf "$T" && mkdir -p "$T/kernel" "$T/bb" "$T/root"
dpkg-deb -x "$(deb_file "$KPKG" "$LINUX_DEB")" "$T/kernel"
dpkg-deb -x "$(deb_file busybox-static "$BUSYBOX_DEB")" "$T/bb"
BB=$T/bb/bin/busybox
[[ -x $BB ]] || die "busybox-static $BUSYBOX_DEB has no bin/busybox"
KM=$T/kernel/lib/modules/$LINUX_ABI
[[ -f $T/kernel/boot/vmlinuz-$LINUX_ABI && -d $KM ]] || die "$KPKG has no boot/vmlinuz-$LINUX_ABI or lib/modules/$LINUX_ABI"

# The package ships no modules.dep (the postinst runs depmod); busybox's
# depmod writes one from the modules' own .modinfo "depends=" fields.
"$BB" depmod -b "$T/kernel" "$LINUX_ABI" || die "busybox depmod failed"

# Dependencies first, each module once: a depth-first walk of modules.dep.
declare -A SEEN=()
ORDER=()
add_module() {
	local m=$1 d deps
	[[ -n ${SEEN[$m]:-} ]] && return 0
	SEEN[$m]=1
	deps=$(sed -n "s|^$m: *||p" "$KM/modules.dep")
	grep -q "^$m:" "$KM/modules.dep" || die "$m is not in $LINUX_ABI's modules.dep"
	for d in $deps; do add_module "$d"; done
	ORDER+=("$m")
}
for m in "${MODULES[@]}"; do add_module "kernel/$m.ko"; done

R=$T/root
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,root,lib/modules/"$LINUX_ABI"}
cp "$BB" "$R/bin/busybox"
for a in $("$BB" --list); do
	[[ $a == busybox ]] || ln -s busybox "$R/bin/$a"
done
for m in "${ORDER[@]}"; do
	mkdir -p "$R/lib/modules/$LINUX_ABI/$(dirname "$m")"
	cp "$KM/$m" "$R/lib/modules/$LINUX_ABI/$m"
	grep "^$m:" "$KM/modules.dep" >>"$R/lib/modules/$LINUX_ABI/modules.dep"
done
printf '%s\n' "${ORDER[@]}" >"$R/etc/modules"
# Two tiny static helpers of ours, no libc: bin/tsc prints the TSC,
# bin/memscan looks for a token in the guest's RAM (tools/linux_guest_*.c).
for t in tsc memscan; do
	gcc -Os -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie \
		-fno-asynchronous-unwind-tables -Wl,--build-id=none -s -Wall -Werror \
		-o "$R/bin/$t" "tools/linux_guest_$t.c" || die "cannot build tools/linux_guest_$t.c"
done
cat >"$R/init" <<'EOF'
#!/bin/sh
# Keel's Linux test guest (tools/linux_guest.sh, docs/linux-guest.md).
# Lines starting with KEEL-GUEST are read by tests/system/test_linux.py
# and bench/linux.py: keep their format.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
failed=
load() {
	while read -r m; do
		insmod "/lib/modules/$(uname -r)/$m" || failed="$failed ${m##*/}"
	done <"$1"
}
# The TSC first: under QEMU -icount shift=0 it counts one per instruction
# and one per nanosecond of idle; /proc/uptime's idle time tells them apart.
t=$(tsc)
read -r up idle </proc/uptime
echo "KEEL-GUEST-INIT tsc=$t uptime=$up idle=$idle"
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
echo "KEEL-GUEST uname=$(uname -r) cpus=$(nproc) memtotal_kb=$mem clocksource=$cs"
load /etc/modules
echo "KEEL-GUEST modules=${failed:-ok}"
# Give the devices a moment to appear (virtio probes on module load).
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /dev/vda ] && break
	sleep 0.1
done
echo "KEEL-GUEST disks=$(ls /sys/block | tr '\n' ' ')"
export PS1='keel-guest# ' HOME=/root
cd /root
# The shell is on ttyS0 only; PID 1 must never exit (the kernel would
# panic). hvc0 stays an output device: in a Keel VM both consoles feed
# the one VM console, so a second shell's banner and prompt on hvc0 would
# land in the middle of the ttyS0 shell's output.
while :; do
	echo "KEEL-GUEST-READY"
	setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'
done
EOF
chmod 755 "$R/init"

# newc (the kernel's Documentation/driver-api/early-userspace/
# buffer-format.rst) written here rather than by cpio: inode numbers
# counted from 1, owner root, a fixed time (Keel's SOURCE_DATE_EPOCH
# default), so the same inputs give the same initrd.img byte for byte.
python3 - "$R" <<'PY' | gzip -9n >"$OUT/initrd.img.new"
import os, stat, sys
root, out, ino = sys.argv[1], sys.stdout.buffer, 0
def entry(name, st, data):
    global ino
    ino += 1
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, st.st_mode if st else 0, 0, 0, 1, 1704067200 if st else 0, len(data),
        0, 0, 0, 0, len(name) + 1, 0))
    rec = hdr.encode() + name.encode() + b"\0"
    out.write(rec + b"\0" * (-len(rec) % 4) + data + b"\0" * (-len(data) % 4))
for d, dirs, files in sorted(os.walk(root)):
    dirs.sort()
    for n in [d] + [os.path.join(d, f) for f in sorted(files)] + \
            [os.path.join(d, x) for x in dirs if os.path.islink(os.path.join(d, x))]:
        st = os.lstat(n)
        rel = os.path.relpath(n, root)
        if stat.S_ISLNK(st.st_mode):
            data = os.readlink(n).encode()
        elif stat.S_ISREG(st.st_mode):
            data = open(n, "rb").read()
        else:
            data = b""
        entry(rel, st, data)
entry("TRAILER!!!", None, b"")
PY
cp "$T/kernel/boot/vmlinuz-$LINUX_ABI" "$OUT/vmlinuz.new"
mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv "$OUT/initrd.img.new" "$OUT/initrd.img"
echo "$LINUX_ABI" >"$OUT/version"
rm -rf "$T"
echo "$KEY" >"$OUT/.stamp"
say "$OUT/vmlinuz ($KPKG $LINUX_DEB), $OUT/initrd.img ($(stat -c %s "$OUT/initrd.img") bytes, ${#ORDER[@]} modules)"
