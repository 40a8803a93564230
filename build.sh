#!/usr/bin/env bash
# Keel's one entry point (see README.md):
#   ./build.sh          install dependencies if needed, build everything
#   ./build.sh deps     only install/fetch/build the dependencies (and the
#                       Linux test guest, tools/linux_guest.sh)
#   ./build.sh run      build, then boot the USB image in QEMU (Ctrl-A X quits)
#   ./build.sh test [PATTERN]  build, then run every test (or those matching)
#   ./build.sh clean    remove Keel's build output (keeps the built libraries)
set -euo pipefail
cd "$(dirname "$0")"
export BUILD=${BUILD:-build}

die() {
	echo "build.sh: $*" >&2
	exit 1
}

build() {
	tools/deps.sh
	command -v make >/dev/null || die "make not found; run ./build.sh deps"
	make -j"$(nproc)" BUILD="$BUILD" all
}

case "${1:-build}" in
deps)
	tools/deps.sh
	tools/linux_guest.sh
	;;
build)
	build
	;;
run)
	build
	echo "build.sh: booting $BUILD/keel.img as a USB stick in QEMU; quit with Ctrl-A X"
	# A copy, as if flashed to a stick: rebuilding never fights a running VM.
	cp "$BUILD/keel.img" "$BUILD/run.img"
	# An empty 1 GiB disk for the datastore (kept between runs: files and
	# VMs survive like on a server) and the HTTPS endpoint on
	# 127.0.0.1:${KEEL_HTTPS_PORT:-8443} for keelctl (README "Managing").
	[[ -e $BUILD/datastore.img ]] || truncate -s 1G "$BUILD/datastore.img"
	exec qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 -nographic \
		-device qemu-xhci,id=xhci \
		-drive file="$BUILD/run.img",format=raw,if=none,id=boot \
		-device usb-storage,bus=xhci.0,drive=boot,bootindex=0 \
		-drive file="$BUILD/datastore.img",format=raw,if=none,id=ds \
		-device nvme,serial=datastore0,drive=ds \
		-nic user,model=e1000,hostfwd=tcp:127.0.0.1:"${KEEL_HTTPS_PORT:-8443}"-:443
	;;
test)
	build
	# The stock Debian kernel and initramfs of the Linux guest tests
	# (docs/linux-guest.md), cached in $BUILD/linux; without them only
	# those tests fail (with the reason), not the whole run.
	tools/linux_guest.sh || echo "build.sh: no Linux test guest (above); the Linux tests will fail" >&2
	exec /usr/bin/python3 tests/run.py "${2:-}"
	;;
clean)
	make BUILD="$BUILD" clean
	;;
*)
	die "unknown command '$1' (use: deps, run, test, clean, or nothing to build)"
	;;
esac
