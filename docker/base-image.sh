#!/bin/sh
# A Debian base image built on this machine, for hosts that reach no container registry:
# debootstrap a minimal Debian into a folder (kept, so later builds reuse it), then `docker
# import` it. Operators with a registry use the official images instead (compose.yaml).
#
#   docker/base-image.sh [TAG]        default TAG: dpt-debian:bookworm
#
# DPT_DEBIAN_SUITE (bookworm), DPT_DEBIAN_MIRROR (http://deb.debian.org/debian) and
# DPT_DOCKER_CACHE (data/docker, git-ignored) change where it comes from and where it is kept.
set -eu
suite=${DPT_DEBIAN_SUITE:-bookworm}
mirror=${DPT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${DPT_DOCKER_CACHE:-data/docker}
tag=${1:-dpt-debian:$suite}
rootfs=$cache/rootfs-$suite

if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag already present"
    exit 0
fi
if [ ! -e "$rootfs.done" ]; then
    rm -rf "$rootfs"
    mkdir -p "$cache"
    debootstrap --variant=minbase "$suite" "$rootfs" "$mirror"
    # What an image needs no copy of: package downloads and lists (apt-get update fetches them).
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    touch "$rootfs.done"
fi
tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$tag"
echo "base image $tag imported from $rootfs"
