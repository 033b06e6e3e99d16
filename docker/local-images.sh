#!/bin/sh
# Every image compose.yaml needs besides the service's own, built on this host from Debian's
# packages (for hosts that reach no container registry): the debootstrap base
# (docker/base-image.sh), then PostgreSQL, Redis and HAProxy on it. Names as in docker/local.env.
set -eu
here=$(dirname "$0")
base=dpt-debian:bookworm
sh "$here/base-image.sh" "$base"
for part in postgres redis haproxy; do
    docker build -q --build-arg "BASE_IMAGE=$base" -t "dpt-local/$part:bookworm" "$here/$part"
done
