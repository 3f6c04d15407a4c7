#!/usr/bin/env bash
# scripts/fetch-bearssl.sh DIR - puts the sources of BearSSL, the TLS
# library lib/tls is built on (docs/tls.md says why), into DIR/src: the
# source package `bearssl` from Debian, fetched with apt-get from the
# mirror this machine's apt sources name, verified by apt against the
# signed index, and unpacked.  Nothing of it is kept in our repository;
# mk/tls.mk compiles it with each target's flags (the freestanding hvt
# image included, which a Debian binary built for glibc cannot join).
#
# Needs no root: apt runs on private lists under DIR.  BEARSSL_SRC=PATH
# uses an unpacked BearSSL source tree instead (an offline build).
set -euo pipefail
[ -f "$1/src/inc/bearssl.h" ] && exit 0
mkdir -p "$1"
dir=$(cd "$1" && pwd) # apt wants absolute paths
if [ -n "${BEARSSL_SRC:-}" ]; then
    rm -rf "$dir/src"
    cp -r "$BEARSSL_SRC" "$dir/src"
    exit 0
fi

apt=$dir/apt
rm -rf "$apt"
mkdir -p "$apt/lists/partial" "$apt/etc/parts" "$apt/get"
# The machine's Debian mirror and release, as its apt sources say.
uri=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ {print $2}'
    cat /etc/apt/sources.list 2>/dev/null | awk '/^deb / {print $2}') |
    grep -v security | head -n 1 || true)
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -z "$uri" ] || [ -z "$suite" ]; then
    echo "fetch-bearssl: cannot tell this machine's Debian mirror or release" >&2
    exit 1
fi
echo "deb-src $uri $suite main" >"$apt/etc/sources.list"
opts=(-o Dir::Etc::SourceList="$apt/etc/sources.list"
    -o Dir::Etc::SourceParts="$apt/etc/parts" -o Dir::State::Lists="$apt/lists"
    -o Dir::Cache="$apt/cache" -o APT::Sandbox::User="$(id -un)" -qq)
echo "fetch-bearssl: Debian source package bearssl ($suite)"
apt-get "${opts[@]}" update
(cd "$apt/get" && apt-get "${opts[@]}" source --download-only bearssl)
orig=$(ls "$apt"/get/bearssl_*.orig.tar.* | head -n 1)
rm -rf "$dir/unpack" "$dir/src"
mkdir -p "$dir/unpack"
tar -xf "$orig" -C "$dir/unpack"
deb=$(ls "$apt"/get/bearssl_*.debian.tar.* 2>/dev/null | head -n 1)
top=$(ls -d "$dir"/unpack/*/ | head -n 1)
if [ -n "$deb" ]; then
    tar -xf "$deb" -C "$top"
    if [ -s "$top/debian/patches/series" ]; then
        while read -r p; do
            [ -n "$p" ] && [ "${p#\#}" = "$p" ] &&
                patch -d "$top" -p1 -s <"$top/debian/patches/$p"
        done <"$top/debian/patches/series"
    fi
fi
mv "$top" "$dir/src"
ls "$apt"/get/*.dsc | sed 's|.*/||' >"$dir/src/DEBIAN-SOURCE"
rm -rf "$dir/unpack" "$apt"
