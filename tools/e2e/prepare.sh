#!/usr/bin/env bash
# Prepares the real-VM end-to-end environment, or validates and reuses it when it is already there:
#
#   $SIDECORE_E2E_CACHE (default /var/cache/sidecore/e2e)
#   ├── root/                      Debian trixie (debootstrap, minbase) with qemu-system-x86 from trixie-backports
#   │   │                          (>= 11.1, with vfio-user-pci), the guest kernel, and the peer-side tools
#   │   └── opt/sidecore-e2e/      what the guest boots: vmlinuz + initramfs.cpio (busybox-static, the e1000 and
#   │                              virtio_net modules with their dependencies, iperf3, ethtool, netperf, iproute2,
#   │                              ping and their shared libraries, tools/e2e/guest-init as /init)
#   └── stamp                      recipe hashes, package versions, kernel, QEMU version, guest files' sha256
#
# root/ is valid when the stamp's root recipe (suite and package lists) matches and every recorded package version
# is the one installed in it; otherwise everything is rebuilt from scratch (--force always does). The guest files
# are valid when the stamp's guest recipe (this script and guest-init) matches and they hash as recorded;
# otherwise only they are rebuilt. QEMU runs from root/ through tools/e2e/in-root.sh (chroot in a private mount
# namespace), so the host needs none of it. A machine where this cannot be done fails here, loudly, with the
# reason; nothing skips.
#
#   prepare.sh [--force | --check]     --check: validate only; exit 1 and say why when not valid
#
# Needs root, Debian's debootstrap (installed with apt-get when missing) and the Debian package mirror
# ($SIDECORE_E2E_MIRROR, default http://deb.debian.org/debian).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SIDECORE_E2E_CACHE:-/var/cache/sidecore/e2e}
MIRROR=${SIDECORE_E2E_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SIDECORE_E2E_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}
SUITE=trixie
QEMU_MIN_MAJOR=11
QEMU_MIN_MINOR=1
BACKPORTS_PACKAGES=(qemu-system-x86)
PACKAGES=(linux-image-amd64 busybox-static iperf3 ethtool iproute2 netperf iputils-ping cpio)
# Drivers the guest loads at boot; their dependencies come from the kernel's modules.dep.
GUEST_MODULES=(e1000 virtio_net)
# Programs copied into the guest with every shared library they load.
GUEST_PROGRAMS=(/usr/bin/iperf3 /usr/sbin/ethtool /usr/bin/netperf /usr/bin/netserver /usr/sbin/ip /usr/bin/ping)
# Libraries loaded with dlopen, which ldd cannot see: glibc's pthread_cancel (iperf3) needs libgcc_s.
GUEST_DLOPEN_LIBRARIES=(/lib/x86_64-linux-gnu/libgcc_s.so.1)
GUEST_DIR=opt/sidecore-e2e

say() { echo "e2e-prepare: $*" >&2; }
die() { echo "e2e-prepare: FAILED: $*" >&2; exit 1; }

# The root's recipe: what goes into root/. Bump ROOT_LAYOUT when build_root changes in a way these lists don't show.
ROOT_LAYOUT=1
root_recipe() {
    echo "layout=$ROOT_LAYOUT suite=$SUITE backports=${BACKPORTS_PACKAGES[*]} packages=${PACKAGES[*]}" \
        "qemu>=$QEMU_MIN_MAJOR.$QEMU_MIN_MINOR" | sha256sum | cut -d' ' -f1
}

# The guest's recipe: this script and the guest's /init; a change rebuilds only the guest files.
guest_recipe() {
    cat "$HERE/prepare.sh" "$HERE/guest-init" | sha256sum | cut -d' ' -f1
}

# Prints nothing and returns 0 when root/ is valid; otherwise prints the reason and returns 1.
validate_root() {
    local stamp="$CACHE/stamp" root="$CACHE/root" name version installed
    [[ -f "$stamp" ]] || { echo "no stamp at $stamp"; return 1; }
    [[ "$(sed -n 's/^root-recipe //p' "$stamp")" == "$(root_recipe)" ]] ||
        { echo "the root's recipe changed (package lists in tools/e2e/prepare.sh)"; return 1; }
    while read -r name version; do
        installed=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version}' "$name" 2>/dev/null || true)
        [[ "$installed" == "$version" ]] ||
            { echo "package $name is '$installed' in the root, stamp says $version"; return 1; }
    done < <(sed -n 's/^package //p' "$stamp")
    [[ -x "$root/usr/bin/qemu-system-x86_64" ]] || { echo "no qemu-system-x86_64 in $root"; return 1; }
    return 0
}

# Prints nothing and returns 0 when the guest files are valid; otherwise prints the reason and returns 1.
validate_guest() {
    local stamp="$CACHE/stamp" root="$CACHE/root" file sum
    [[ "$(sed -n 's/^guest-recipe //p' "$stamp")" == "$(guest_recipe)" ]] ||
        { echo "the guest's recipe changed (tools/e2e/prepare.sh or guest-init)"; return 1; }
    while read -r file sum; do
        [[ -f "$root/$file" ]] || { echo "missing $root/$file"; return 1; }
        [[ "$(sha256sum < "$root/$file" | cut -d' ' -f1)" == "$sum" ]] || { echo "$root/$file changed"; return 1; }
    done < <(sed -n 's/^file //p' "$stamp")
    return 0
}

ensure_debootstrap() {
    command -v debootstrap >/dev/null 2>&1 && return
    command -v apt-get >/dev/null 2>&1 || die "debootstrap is missing and this host has no apt-get to install it"
    say "installing debootstrap (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >&2 ||
        die "could not install debootstrap with apt-get"
}

# Runs inside a private mount namespace (see main): everything mounted into the root vanishes with it.
build_root() {
    local root=$1
    say "debootstrap $SUITE (minbase) from $MIRROR into $root"
    debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" > "$CACHE.build.log" 2>&1 ||
        die "debootstrap failed; last lines of $CACHE.build.log:
$(tail -n 15 "$CACHE.build.log")"

    cat > "$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
deb $MIRROR $SUITE-backports main
SOURCES
    # Nothing installed here may start a service (netperf and iperf3 ship daemons).
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"

    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    local apt=(chroot "$root" env DEBIAN_FRONTEND=noninteractive INITRD=No apt-get -y -q --no-install-recommends)
    say "apt-get install -t $SUITE-backports ${BACKPORTS_PACKAGES[*]}; apt-get install ${PACKAGES[*]}"
    {
        "${apt[@]}" update &&
        "${apt[@]}" install -t "$SUITE-backports" "${BACKPORTS_PACKAGES[@]}" &&
        "${apt[@]}" install "${PACKAGES[@]}" &&
        "${apt[@]}" clean
    } >> "$CACHE.build.log" 2>&1 || die "package installation failed; last lines of $CACHE.build.log:
$(tail -n 15 "$CACHE.build.log")"
    umount -R "$root/dev" "$root/proc" "$root/sys"
}

check_qemu() {
    local root=$1 version major minor
    version=$(chroot "$root" qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p')
    [[ -n "$version" ]] || die "cannot read the QEMU version from $root/usr/bin/qemu-system-x86_64"
    major=${version%%.*}; minor=${version#*.}; minor=${minor%%.*}
    if (( major < QEMU_MIN_MAJOR || (major == QEMU_MIN_MAJOR && minor < QEMU_MIN_MINOR) )); then
        die "QEMU $version from $SUITE-backports is older than $QEMU_MIN_MAJOR.$QEMU_MIN_MINOR (vfio-user-pci needs it)"
    fi
    chroot "$root" qemu-system-x86_64 -device help | grep -q '^name "vfio-user-pci"' ||
        die "QEMU $version in $root has no vfio-user-pci device"
    echo "$version"
}

# Copies $1 (a path inside the root) to the same path in the initramfs tree $2, with every library ldd names.
copy_program() {
    local root=$1 tree=$2 program=$3 library
    [[ -x "$root$program" ]] || die "guest program $program is missing from the root"
    install -D -m 0755 "$root$program" "$tree$program"
    while read -r library; do
        [[ -e "$tree$library" ]] || install -D -m 0755 "$root$(chroot "$root" readlink -f "$library")" "$tree$library"
    done < <(chroot "$root" ldd "$program" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
}

# Appends module $1 and, first, its dependencies (modules.dep) to the load order, decompressing each into the tree.
add_module() {
    local root=$1 tree=$2 kernel=$3 name=$4 line path dep depname
    grep -qx "$name" "$tree/lib/modules/load-order" 2>/dev/null && return
    line=$(grep -E "/$name\.ko(\.xz|\.zst|\.gz)?:" "$root/lib/modules/$kernel/modules.dep") ||
        die "module $name is not in the guest kernel's modules.dep ($kernel)"
    path=${line%%:*}
    for dep in ${line#*:}; do
        depname=$(basename "$dep"); depname=${depname%%.ko*}
        add_module "$root" "$tree" "$kernel" "$depname"
    done
    case "$path" in
        *.xz) xz -dc "$root/lib/modules/$kernel/$path" > "$tree/lib/modules/$name.ko" ;;
        *.zst) zstd -qdc "$root/lib/modules/$kernel/$path" > "$tree/lib/modules/$name.ko" ;;
        *.gz) gzip -dc "$root/lib/modules/$kernel/$path" > "$tree/lib/modules/$name.ko" ;;
        *) cp "$root/lib/modules/$kernel/$path" "$tree/lib/modules/$name.ko" ;;
    esac
    echo "$name" >> "$tree/lib/modules/load-order"
}

build_initramfs() {
    local root=$1 kernel=$2 tree="$1/tmp/initramfs" applet program library module
    rm -rf "$tree"
    mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,lib/modules,lib64,etc,proc,sys,dev,tmp,run,root}
    install -m 0755 "$root/usr/bin/busybox" "$tree/bin/busybox"
    for applet in $(chroot "$root" busybox --list); do
        [[ "$applet" == busybox ]] || ln -s busybox "$tree/bin/$applet"
    done
    for program in "${GUEST_PROGRAMS[@]}"; do
        copy_program "$root" "$tree" "$program"
    done
    for library in "${GUEST_DLOPEN_LIBRARIES[@]}"; do
        [[ -e "$root$library" ]] || die "guest library $library is missing from the root"
        install -D -m 0755 "$root$(chroot "$root" readlink -f "$library")" "$tree$library"
    done
    for module in "${GUEST_MODULES[@]}"; do
        add_module "$root" "$tree" "$kernel" "$module"
    done
    install -m 0755 "$HERE/guest-init" "$tree/init"
    echo "root:x:0:0:root:/root:/bin/sh" > "$tree/etc/passwd"
    echo "root:x:0:" > "$tree/etc/group"
    printf '127.0.0.1 localhost\n' > "$tree/etc/hosts"
    # netperf and iperf3 look their ports up by name when given one; give them the usual table.
    cp "$root/etc/services" "$tree/etc/services" 2>/dev/null || true
    # Uncompressed: under TCG, decompressing the initramfs costs the guest more than QEMU loading it.
    mkdir -p "$root/$GUEST_DIR"
    # find and sort run on the host, cpio in the root (the host may have none); both see the same tree.
    (cd "$tree" && find . -print0 | LC_ALL=C sort -z |
        chroot "$root" sh -c 'cd /tmp/initramfs && cpio --null -o -H newc --quiet') \
        > "$root/$GUEST_DIR/initramfs.cpio.new" || die "cpio of the initramfs failed"
    cp "$root/boot/vmlinuz-$kernel" "$root/$GUEST_DIR/vmlinuz.new"
    # Renamed into place: a guest booting from the old files meanwhile keeps reading them whole.
    mv "$root/$GUEST_DIR/initramfs.cpio.new" "$root/$GUEST_DIR/initramfs.cpio"
    mv "$root/$GUEST_DIR/vmlinuz.new" "$root/$GUEST_DIR/vmlinuz"
    rm -rf "$tree"
}

write_stamp() {
    local root=$1 kernel=$2 qemu=$3 name file
    {
        echo "root-recipe $(root_recipe)"
        echo "guest-recipe $(guest_recipe)"
        echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "kernel $kernel"
        echo "qemu $qemu"
        for name in "${BACKPORTS_PACKAGES[@]}" "${PACKAGES[@]}" qemu-system-data seabios libc6; do
            echo "package $name $(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version}' "$name")"
        done
        for file in "$GUEST_DIR/vmlinuz" "$GUEST_DIR/initramfs.cpio"; do
            echo "file $file $(sha256sum < "$root/$file" | cut -d' ' -f1)"
        done
    } > "$CACHE/stamp.new"
}

guest_files() {
    local root=$1 kernel qemu
    kernel=$(ls "$root/lib/modules" | sort -V | tail -n 1)
    [[ -n "$kernel" && -f "$root/boot/vmlinuz-$kernel" ]] || die "no guest kernel installed in $root"
    qemu=$(check_qemu "$root")
    say "building the guest initramfs (kernel $kernel)"
    build_initramfs "$root" "$kernel"
    write_stamp "$root" "$kernel" "$qemu"
}

# Everything from scratch: a new root, then the guest files; the old root is replaced only when all of it worked.
build_all() {
    local started=$SECONDS root="$CACHE/root.new"
    rm -rf "$root" "$CACHE/stamp" "$CACHE/stamp.new"
    build_root "$root"
    guest_files "$root"
    rm -rf "$CACHE/root"
    mv "$root" "$CACHE/root"
    mv "$CACHE/stamp.new" "$CACHE/stamp"
    say "built in $((SECONDS - started)) s: $(sed -n 's/^qemu /QEMU /p' "$CACHE/stamp"), guest kernel" \
        "$(sed -n 's/^kernel //p' "$CACHE/stamp"), $(du -sh "$CACHE/root" | cut -f1) at $CACHE"
}

# The root is valid, the guest files are not: rebuild only them.
build_guest() {
    local started=$SECONDS
    guest_files "$CACHE/root"
    mv "$CACHE/stamp.new" "$CACHE/stamp"
    say "guest files rebuilt in $((SECONDS - started)) s"
}

main() {
    local mode=${1:-build}
    case "$mode" in
        build|--force|--check) ;;
        *) die "usage: prepare.sh [--force | --check]" ;;
    esac
    [[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot, mounts)"
    mkdir -p "$(dirname "$CACHE")" "$CACHE"

    exec 9> "$CACHE.lock"
    flock 9

    local reason step
    if [[ "$mode" == "--force" ]]; then
        reason="--force"; step=all
    elif ! reason=$(validate_root); then
        step=all
    elif ! reason=$(validate_guest); then
        step=guest
    else
        say "cache valid at $CACHE ($(sed -n 's/^qemu /QEMU /p' "$CACHE/stamp")," \
            "kernel $(sed -n 's/^kernel //p' "$CACHE/stamp"))"
        return 0
    fi
    if [[ "$mode" == "--check" ]]; then
        die "cache at $CACHE is not valid: $reason (run tools/e2e/prepare.sh)"
    fi
    say "rebuilding ($step) $CACHE: $reason"
    [[ "$step" == all ]] && ensure_debootstrap
    # The build mounts /dev, /proc and /sys into the new root; a private mount namespace takes them away
    # with it however the build ends.
    SIDECORE_E2E_BUILDING=1 unshare --mount --propagation private -- "$HERE/prepare.sh" --in-namespace "$step"
}

if [[ "${1:-}" == "--in-namespace" && "${SIDECORE_E2E_BUILDING:-}" == 1 ]]; then
    case "${2:-}" in
        all) build_all ;;
        guest) build_guest ;;
        *) die "unknown build step '${2:-}'" ;;
    esac
else
    main "$@"
fi
