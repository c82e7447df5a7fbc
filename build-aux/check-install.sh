#!/bin/sh
# Installs into a scratch DESTDIR and builds a program against the installed pkg-config file,
# headers and library, then runs it.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

builddir="${1:-_build}"
destdir="$(mktemp -d)"
trap 'rm -rf "$destdir"' EXIT

meson install -C "$builddir" --destdir "$destdir" --quiet
pc="$(find "$destdir" -name gprocess-1.0.pc | head -n 1)"
libdir="$(dirname "$(find "$destdir" -name 'libgprocess-1.0.so.0' | head -n 1)")"

# The installed .pc, with its prefix moved into the scratch root
mkdir -p "$destdir/pc"
prefix="$(sed -n 's/^prefix=//p' "$pc")"
sed "s|^prefix=.*|prefix=$destdir$prefix|" "$pc" > "$destdir/pc/gprocess-1.0.pc"

cc -o "$destdir/install-check" tests/install-check.c \
  $(PKG_CONFIG_PATH="$destdir/pc" pkg-config --cflags --libs gprocess-1.0)
out="$(LD_LIBRARY_PATH="$libdir" "$destdir/install-check")"
[ "$out" = "installed: 0.2.0, child exit code 3" ] || { echo "install check: unexpected output: $out" >&2; exit 1; }
echo "install check: OK ($out)"
