#!/usr/bin/env bash
# tools/deps.sh: everything Keel's build needs from outside the repo.
#
#  1. installs the Debian packages of the toolchain and test platforms;
#  2. fetches the pinned library sources (tools/versions) from Debian;
#  3. builds newlib, mbedTLS, SQLite and lwIP freestanding for the kernel's
#     memory model into $BUILD/sysroot/{include,lib}, with our config headers.
#
# Run by `./build.sh deps` from the repo root; BUILD (default: build) is
# relative to it. Third-party code never enters the repo, only our configs.
# A second run does nothing: each library has a stamp holding its pin and a
# hash of everything that shapes it (flags, config headers, recipe, gcc).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
. tools/versions

B=${BUILD:-build}
[[ $B == /* ]] || B=$ROOT/$B
# Library objects and stamps live under deps/, away from the kernel's obj/
# (which `./build.sh clean` removes while keeping the built libraries).
SRC=$B/src OBJ=$B/deps LOG=$B/log STAMP=$B/deps/stamps SYSROOT=$B/sysroot
JOBS=$(nproc)

# The host halves of these builds (configure scripts, SQLite's lemon) must
# not pick up flags meant for the kernel from build.sh's environment.
unset CC CFLAGS CPPFLAGS CXXFLAGS LDFLAGS LIBS MAKEFLAGS

# Toolchain, tclsh (SQLite's amalgamation), test harness, emulators and
# firmware, image tools, the console font (console-setup-linux);
# libmbedtls-dev for keelctl (client/), the same mbedTLS version as the
# kernel's pinned source (MBEDTLS_DEB in tools/versions); openssl for the
# client tests' throwaway TLS server.
PACKAGES=(gcc make binutils dpkg-dev xz-utils tcl python3 python3-pytest
	python3-pexpect qemu-system-x86 ovmf bochs bochsbios vgabios grub-pc-bin
	grub-efi-amd64-bin grub-common mtools gdisk fdisk newlib-source
	console-setup-linux dosfstools libmbedtls-dev openssl acpica-tools)

# Code generation shared with the kernel (higher half, -mcmodel=kernel,
# no red zone for interrupt safety, sections for --gc-sections).
LIB_CFLAGS="-O2 -g -ffreestanding -mcmodel=kernel -mno-red-zone -fno-pic \
-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
-fno-omit-frame-pointer -ffunction-sections -fdata-sections -fno-common"
# Newlib's headers plus gcc's own (stddef.h, stdarg.h, float.h) and never
# glibc's /usr/include. Set once gcc is installed (a fresh machine may lack it).
set_include_flags() {
	GCC_INC=$(gcc -print-file-name=include)
	SYS_INC="-nostdinc -isystem $SYSROOT/include -isystem $GCC_INC"
	NEWLIB_CFLAGS="$LIB_CFLAGS -nostdinc -isystem $GCC_INC -UMISSING_SYSCALL_NAMES -Wa,--noexecstack"
}

say() { echo "deps: $*"; }
die() { echo "deps: $*" >&2; exit 1; }
rel() { echo "${1#"$ROOT"/}"; }

# run LIB CMD...: append CMD's output to LIB's log; on failure name the log
# and show its tail instead of a wall of make output.
run() {
	local lib=$1; shift
	if ! "$@" >>"$LOG/$lib.log" 2>&1; then
		echo "deps: $lib: '${1##*/} ... ${!#}' failed, see $(rel "$LOG/$lib.log"); last lines:" >&2
		tail -n 20 "$LOG/$lib.log" | sed 's/^/    /' >&2
		exit 1
	fi
}

# --- 1. Debian packages -------------------------------------------------

apt_update() {
	apt-get update >>"$LOG/apt.log" 2>&1 || die "cannot reach the Debian" \
		"archive (apt-get update failed, see $(rel "$LOG/apt.log"));" \
		"check /etc/apt/sources.list.d and the network"
}

install_packages() {
	local p missing=()
	for p in "${PACKAGES[@]}"; do
		[[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	((EUID == 0)) || die "missing packages ${missing[*]}; run as root or" \
		"sudo apt-get install --no-install-recommends ${missing[*]}"
	say "installing ${missing[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}" >>"$LOG/apt.log" 2>&1 || die "apt-get install" \
		"${missing[*]} failed ($(grep '^E:' "$LOG/apt.log" | tail -n1)), see $(rel "$LOG/apt.log")"
}

# --- 2. Sources ---------------------------------------------------------

# apt-get source needs a deb-src entry; mirror the deb entries if none.
DEB_SRC_CHECKED=
ensure_deb_src() {
	[[ -z $DEB_SRC_CHECKED ]] || return 0
	DEB_SRC_CHECKED=1
	local d=/etc/apt/sources.list.d
	if ! grep -qsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		/etc/apt/sources.list "$d"/*.list "$d"/*.sources; then
		((EUID == 0)) || die "apt has no deb-src entry; run once as root so deps.sh can add $d/keel-deb-src.sources"
		if [[ -f $d/debian.sources ]]; then
			sed 's/^Types:.*/Types: deb-src/' "$d/debian.sources" >"$d/keel-deb-src.sources"
		elif grep -qs '^deb[[:space:]]' /etc/apt/sources.list; then
			sed -n 's/^deb\([[:space:]]\)/deb-src\1/p' /etc/apt/sources.list >"$d/keel-deb-src.list"
		else
			die "no Debian entry in /etc/apt/sources.list or $d/debian.sources to derive deb-src from"
		fi
		say "added a deb-src entry to $d"
		apt_update
	elif [[ -z $(apt-cache showsrc lwip 2>/dev/null) ]]; then
		apt_update # deb-src configured but its index was never fetched
	fi
}

# newest: the highest of the Debian versions on stdin.
newest() {
	local v best=
	while read -r v; do
		[[ -z $best ]] || dpkg --compare-versions "$v" gt "$best" && best=$v
	done
	echo "$best"
}
archive_version() { # of source package $1
	apt-cache showsrc "$1" 2>/dev/null |
		awk -v p="$1" '/^Package:/ {n = $2} /^Version:/ && n == p {print $2}' | newest
}

check_pin() { # NAME HAVE PIN: stop if the archive moved on
	[[ -n $2 ]] || die "$1 is not in the archive (apt-cache showsrc $1 is empty); check deb-src in /etc/apt/sources.list.d"
	[[ $2 == "$3" ]] || die "$1 is $2 in the archive, Keel pins $3; update tools/versions after testing"
}

# Upstream version inside an unpacked tree (run in its top directory).
lwip_version() {
	awk '/define LWIP_VERSION_(MAJOR|MINOR|REVISION)[[:space:]]/ {
		printf "%s%d", s, $3; s = "." }' src/include/lwip/init.h
}
mbedtls_version() {
	sed -n 's/^#define MBEDTLS_VERSION_STRING *"\(.*\)"/\1/p' include/mbedtls/version.h
}
sqlite3_version() { cat VERSION; }

# fetch_src PKG DEBVER UPVER: unpack a Debian source package (Debian's
# patches applied) into $SRC/PKG-DEBVER, once.
fetch_src() {
	local pkg=$1 deb=$2 up=$3 dir=$SRC/$1-$2 dl=$SRC/dl/$1 got
	[[ $(cat "$dir/.keel-unpacked" 2>/dev/null) == "$up" ]] && return 0
	ensure_deb_src
	check_pin "$pkg" "$(archive_version "$pkg")" "$deb"
	say "fetching $pkg $deb"
	rm -rf "$dir" "$dl" && mkdir -p "$dl"
	# Unpack next to the .dsc so dpkg-source's orig symlinks stay in dl/.
	(cd "$dl" && run "$pkg" apt-get source --download-only "$pkg=$deb" &&
		run "$pkg" dpkg-source -x "${pkg}_${deb#*:}.dsc" tree)
	mv "$dl/tree" "$dir"
	got=$(cd "$dir" && "${pkg}_version")
	[[ $got == "$up" ]] || die "$pkg $deb unpacks as upstream $got, Keel expects $up; fix tools/versions"
	echo "$up" >"$dir/.keel-unpacked"
}

# newlib comes as a tarball inside the binary package newlib-source.
fetch_newlib() {
	local dir=$SRC/newlib-$NEWLIB_DEB tar=/usr/src/newlib/newlib-$NEWLIB_UP.tar.xz got
	[[ $(cat "$dir/.keel-unpacked" 2>/dev/null) == "$NEWLIB_UP" ]] && return 0
	got=$(dpkg-query -W -f='${Version}' newlib-source)
	[[ $got == "$NEWLIB_DEB" ]] || die "newlib-source $got is installed, Keel pins $NEWLIB_DEB;" \
		"update tools/versions after testing (or apt-get install newlib-source=$NEWLIB_DEB)"
	got=$(apt-cache show newlib-source | sed -n 's/^Version: //p' | newest)
	[[ $got == "$NEWLIB_DEB" ]] || die "newlib-source is $got in the archive, Keel pins $NEWLIB_DEB; update tools/versions after testing"
	[[ -f $tar ]] || die "newlib-source $NEWLIB_DEB ships $(cd /usr/src/newlib 2>/dev/null &&
		echo *.tar.xz), not newlib-$NEWLIB_UP.tar.xz; update tools/versions after testing"
	rm -rf "$dir" && mkdir -p "$dir"
	tar -xJf "$tar" -C "$dir" --strip-components=1 # top dir is newlib-salsa
	got=$(sed -n "s/^PACKAGE_VERSION='\(.*\)'/\1/p" "$dir/newlib/configure")
	[[ $got == "$NEWLIB_UP" ]] || die "$tar is newlib $got, Keel pins $NEWLIB_UP; update tools/versions after testing"
	echo "$NEWLIB_UP" >"$dir/.keel-unpacked"
}

# --- 3. Builds ----------------------------------------------------------

# compile OUTDIR SRC...: compile with the CC array, JOBS at a time.
compile() {
	local out=$1 f o rc=0 n=0; shift
	mkdir -p "$out"
	for f; do
		if ((n >= JOBS)); then wait -n || rc=1; ((n--)); fi
		o=$(basename "$(dirname "$f")")_$(basename "${f%.c}").o
		echo "CC $f"
		"${CC[@]}" -c "$f" -o "$out/$o" &
		((++n))
	done
	for ((; n > 0; n--)); do wait -n || rc=1; done
	return $rc
}

# newlib: the top-level configure wants a cross toolchain; the host gcc and
# binutils are one (x86_64 ELF), told to stay off glibc's headers.
# newlib's configure.host defines MISSING_SYSCALL_NAMES for unknown ELF
# targets, which would make it call sbrk/write/... ; -U restores the usual
# _sbrk/_write/... names the kernel provides. --noexecstack marks the
# x86_64 .S files (memcpy, memset, setjmp) so ld does not warn about them.
# (NEWLIB_CFLAGS is set in set_include_flags.)
build_newlib() {
	local src=$SRC/newlib-$NEWLIB_DEB obj=$OBJ/newlib dest=$OBJ/newlib-dest t
	rm -rf "$obj" "$dest" && mkdir -p "$obj"
	(cd "$obj" && run newlib "$src/configure" --target=x86_64-elf --prefix=/usr \
		--disable-multilib --disable-nls --disable-newlib-supplied-syscalls \
		--enable-newlib-retargetable-locking --enable-newlib-io-long-long \
		--enable-newlib-io-c99-formats CFLAGS_FOR_TARGET="$NEWLIB_CFLAGS" \
		$(for t in CC=gcc CXX=g++ AR=ar AS=as LD=ld NM=nm RANLIB=ranlib \
			OBJCOPY=objcopy OBJDUMP=objdump READELF=readelf STRIP=strip; do
			echo "${t%%=*}_FOR_TARGET=${t#*=}"; done))
	run newlib make -C "$obj" -j"$JOBS" all-target-newlib
	run newlib make -C "$obj" install-target-newlib DESTDIR="$dest"
	cp -a "$dest/usr/x86_64-elf/include/." "$SYSROOT/include/"
	cp "$dest/usr/x86_64-elf/lib/libc.a" "$dest/usr/x86_64-elf/lib/libm.a" "$SYSROOT/lib/"
}

build_mbedtls() {
	local src=$SRC/mbedtls-$MBEDTLS_DEB obj=$OBJ/mbedtls part
	CC=(gcc $LIB_CFLAGS $SYS_INC '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"'
		-I "$ROOT/mgmt" -I "$src/include")
	rm -rf "$obj"
	run mbedtls compile "$obj" "$src"/library/*.c
	# Split like upstream's library/Makefile: x509 and tls lists, the rest
	# is crypto.
	for part in X509 TLS; do
		sed -n "/^OBJS_$part=/,/left blank/s/^[[:space:]]*\([a-z0-9_]*\)\.o.*/library_\1.o/p" \
			"$src/library/Makefile" >"$obj/$part.list"
	done
	(cd "$obj" && ls library_*.o | grep -vxF -f X509.list -f TLS.list >CRYPTO.list)
	for part in crypto x509 tls; do
		rm -f "$SYSROOT/lib/libmbed$part.a"
		(cd "$obj" && run mbedtls ar rcs "$SYSROOT/lib/libmbed$part.a" $(<"${part^^}.list"))
	done
	rm -rf "$SYSROOT/include/mbedtls" "$SYSROOT/include/psa"
	cp -a "$src/include/mbedtls" "$src/include/psa" "$SYSROOT/include/"
	# Only mgmt/mbedtls_config.h describes our build; upstream's default
	# would silently give callers different struct layouts.
	echo '#error "compile with -DMBEDTLS_CONFIG_FILE=\"mbedtls_config.h\" -I mgmt (Keel builds mbedTLS with mgmt/mbedtls_config.h)"' \
		>"$SYSROOT/include/mbedtls/config.h"
}

build_sqlite3() {
	local src=$SRC/sqlite3-$SQLITE_DEB obj=$OBJ/sqlite3 am=$OBJ/sqlite3-amalgamation
	# The amalgamation does not depend on our options: generate it once
	# per version with the host compiler and tclsh.
	if [[ ! -f $am/.done ]]; then
		rm -rf "$am" && mkdir -p "$am"
		(cd "$am" && run sqlite3 "$src/configure" --disable-tcl --disable-readline)
		run sqlite3 make -C "$am" sqlite3.c
		touch "$am/.done"
	fi
	rm -rf "$obj" && mkdir -p "$obj"
	run sqlite3 gcc $LIB_CFLAGS $SYS_INC -include "$ROOT/store/sqlite_config.h" \
		-c "$am/sqlite3.c" -o "$obj/sqlite3.o"
	rm -f "$SYSROOT/lib/libsqlite3.a"
	run sqlite3 ar rcs "$SYSROOT/lib/libsqlite3.a" "$obj/sqlite3.o"
	cp "$am/sqlite3.h" "$am/sqlite3ext.h" "$SYSROOT/include/"
}

build_lwip() {
	local src=$SRC/lwip-$LWIP_DEB obj=$OBJ/lwip
	CC=(gcc $LIB_CFLAGS $SYS_INC -I "$ROOT" -I "$ROOT/net/lwip" -I "$src/src/include")
	rm -rf "$obj"
	run lwip compile "$obj" "$src"/src/core/*.c "$src"/src/core/ipv4/*.c \
		"$src"/src/api/*.c \
		"$src"/src/core/ipv6/*.c "$src"/src/netif/ethernet.c
	rm -f "$SYSROOT/lib/liblwip.a"
	run lwip ar rcs "$SYSROOT/lib/liblwip.a" "$obj"/*.o
	rm -rf "$SYSROOT/include/lwip" "$SYSROOT/include/netif" "$SYSROOT/include/compat"
	cp -a "$src"/src/include/{lwip,netif,compat} "$SYSROOT/include/"
}

# The same mbedTLS and SQLite, with the same config headers, built for the
# build host into $BUILD/hostlib: host unit tests (tests/unit, UNIT_LIBS)
# run the store's VFS and the password/certificate code against exactly
# the library configuration the kernel has.
build_hostlibs() {
	local msrc=$SRC/mbedtls-$MBEDTLS_DEB am=$OBJ/sqlite3-amalgamation
	local obj=$OBJ/hostlib dest=$B/hostlib part
	rm -rf "$obj" "$dest" && mkdir -p "$obj" "$dest/lib" "$dest/include"
	CC=(gcc -O2 -g '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"'
		-I "$ROOT/mgmt" -I "$msrc/include")
	run hostlib compile "$obj" "$msrc"/library/*.c
	for part in crypto x509 tls; do
		(cd "$obj" && run hostlib ar rcs "$dest/lib/libmbed$part.a" \
			$(<"$OBJ/mbedtls/${part^^}.list"))
	done
	run hostlib gcc -O2 -g -include "$ROOT/store/sqlite_config.h" \
		-c "$am/sqlite3.c" -o "$obj/sqlite3.o"
	run hostlib ar rcs "$dest/lib/libsqlite3.a" "$obj/sqlite3.o"
	cp -a "$msrc/include/mbedtls" "$msrc/include/psa" "$am/sqlite3.h" "$dest/include/"
}

# library LIB UPVER DEBVER OUTPUT CONFIG...: rebuild LIB unless its stamp
# matches the pin plus a hash of flags, configs, recipe and compiler.
library() {
	local lib=$1 up=$2 deb=$3 out=$4 key; shift 4
	key=$({ cat "$@" /dev/null; echo "$LIB_CFLAGS $NEWLIB_CFLAGS $SYS_INC"
		declare -f "build_$lib" compile; gcc --version | sed -n 1p
		echo "${NEWLIB_KEY:-}"; } | sha256sum | cut -c1-16)
	[[ $lib != newlib ]] || NEWLIB_KEY=$key # a new libc rebuilds the others
	if [[ -f $out && $(cat "$STAMP/$lib" 2>/dev/null) == "$deb $key" ]]; then
		say "$lib $up up to date"
		return 0
	fi
	say "building $lib $up"
	: >"$LOG/$lib.log"
	rm -f "$STAMP/$lib"
	"build_$lib"
	echo "$deb $key" >"$STAMP/$lib"
}

mkdir -p "$SRC" "$OBJ" "$LOG" "$STAMP" "$SYSROOT/include" "$SYSROOT/lib"
# build.sh runs us before every build; two at once would trample the sysroot.
exec 9>"$OBJ/.lock"
flock 9
install_packages
# keelctl links the system mbedTLS: it must be the pinned one too.
v=$(dpkg-query -W -f='${Version}' libmbedtls-dev)
[[ $v == "$MBEDTLS_DEB" ]] || die "libmbedtls-dev is $v, tools/versions" \
	"pins mbedTLS $MBEDTLS_DEB (keelctl builds with the system package)"
set_include_flags
fetch_newlib
fetch_src lwip "$LWIP_DEB" "$LWIP_UP"
fetch_src mbedtls "$MBEDTLS_DEB" "$MBEDTLS_UP"
fetch_src sqlite3 "$SQLITE_DEB" "$SQLITE_UP"

library newlib "$NEWLIB_UP" "$NEWLIB_DEB" "$SYSROOT/lib/libc.a"
library mbedtls "$MBEDTLS_UP" "$MBEDTLS_DEB" "$SYSROOT/lib/libmbedtls.a" mgmt/mbedtls_config.h
library sqlite3 "$SQLITE_UP" "$SQLITE_DEB" "$SYSROOT/lib/libsqlite3.a" store/sqlite_config.h
library lwip "$LWIP_UP" "$LWIP_DEB" "$SYSROOT/lib/liblwip.a" net/lwip/lwipopts.h net/lwip/arch/cc.h \
	net/lwip/arch/sys_arch.h core/thread.h core/spinlock.h
library hostlibs "$MBEDTLS_UP" "$MBEDTLS_DEB/$SQLITE_DEB" "$B/hostlib/lib/libsqlite3.a" \
	mgmt/mbedtls_config.h store/sqlite_config.h
