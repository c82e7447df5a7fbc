#!/bin/sh
# Builds (installing what is missing) and runs every benchmark: prints one table and writes
# docs/performance.md and docs/performance.png.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."
builddir="${BUILDDIR:-_build}"
sh build-aux/install-deps.sh
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" -Dgtk_doc=true
meson compile -C "$builddir"
/usr/bin/python3 build-aux/run-benchmarks.py "$builddir"
# Start methods (the table of docs/reference/start-methods.xml)
"$builddir/tests/performance/bench-start-methods"
/usr/bin/python3 tests/performance/bench-start-methods.py
