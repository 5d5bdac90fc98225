#!/usr/bin/env bash
# Runs a command chrooted into the prepared e2e root (a Debian trixie debootstrap), in a private mount namespace
# so that every mount made here (/dev, /proc, /sys, /tmp, the --bind paths) disappears with the command: nothing
# is left mounted on the host, whatever way the command ends.
#
#   in-root.sh ROOT [--bind HOST_PATH]... -- COMMAND [ARGS...]
#
# --bind mounts a host directory at the same path inside the root (a vfio-user socket directory, a run directory),
# so paths mean the same thing on both sides. The command replaces this script's process (exec, no fork), so the
# caller's process handle is the command's: killing it kills QEMU, not a wrapper.
# Run it inside 'ip netns exec NS' to give the command that namespace's network.
set -euo pipefail

die() { echo "in-root: $*" >&2; exit 127; }

[[ $# -ge 3 ]] || die "usage: in-root.sh ROOT [--bind PATH]... -- COMMAND [ARGS...]"
root=$1; shift
[[ -x "$root/usr/bin/env" ]] || die "'$root' is not a prepared root (no usr/bin/env); run tools/e2e/prepare.sh"

binds=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
    case "$1" in
        --bind) [[ $# -ge 2 ]] || die "--bind needs a path"; binds+=("$2"); shift 2 ;;
        *) die "unknown option '$1'" ;;
    esac
done
[[ $# -ge 2 && "$1" == "--" ]] || die "missing '-- COMMAND'"
shift

if [[ "${SIDECORE_IN_ROOT_NAMESPACE:-}" != "$BASHPID" ]]; then
    # Enter a private mount namespace first; unshare execs this script again (same pid) inside it.
    export SIDECORE_IN_ROOT_NAMESPACE=$BASHPID
    again=("$root")
    for path in "${binds[@]+"${binds[@]}"}"; do
        again+=(--bind "$path")
    done
    exec unshare --mount --propagation private -- "$0" "${again[@]}" -- "$@"
fi

mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
# sysfs shows the devices of the network namespace this process is in ('ip netns exec' switched it already).
mount -t sysfs sysfs "$root/sys"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
for path in "${binds[@]+"${binds[@]}"}"; do
    [[ -d "$path" ]] || die "--bind '$path' is not a directory"
    mkdir -p "$root$path"
    mount --bind "$path" "$root$path"
done
exec chroot "$root" /usr/bin/env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
