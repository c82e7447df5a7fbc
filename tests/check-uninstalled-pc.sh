#!/bin/sh
# Builds a program against the uninstalled tree, as "Getting started" says: the flags of
# <builddir>/meson-uninstalled/gprocess-1.0-uninstalled.pc (found through PKG_CONFIG_PATH as
# gprocess-1.0), `#include <gprocess/gprocess.h>` as against an installed GProcess, the
# library found through LD_LIBRARY_PATH; then runs it.
# Usage: check-uninstalled-pc.sh BUILDDIR SOURCE EXPECTED-VERSION CC [CC-ARGS...]
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

builddir="$1"
source="$2"
version="$3"
shift 3
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

export PKG_CONFIG_PATH="$builddir/meson-uninstalled"
flags="$(pkg-config --cflags --libs gprocess-1.0)"
echo "pkg-config --cflags --libs gprocess-1.0: $flags"
# shellcheck disable=SC2086
"$@" -o "$scratch/check" "$source" $flags
libdirs="$(pkg-config --libs-only-L gprocess-1.0 | sed 's/-L//g; s/  */:/g; s/^://; s/:$//')"
out="$(LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$scratch/check")"
expected="installed: $version, child exit code 3"
if [ "$out" != "$expected" ]; then
  echo "the program built against the uninstalled tree printed: $out (expected: $expected)" >&2
  exit 1
fi
echo "uninstalled pkg-config file: OK ($out)"
