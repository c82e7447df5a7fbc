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
# Every program pins itself to the first CPU it may use: CPU ${BENCH_CPU:-1} here. Time figures
# depend on the load of the machine, fault counts do not.
taskset -c "${BENCH_CPU:-1}" /usr/bin/python3 build-aux/run-benchmarks.py "$builddir"
# (run-benchmarks.py also runs the start methods, bench-start-methods and its Python rows: the
# table of docs/reference/start-methods.xml, and the plot)
# Process pools (issue 18): GProcess.ProcessPoolExecutor against ProcessPoolExecutor,
# multiprocessing.Pool, pebble, billiard and loky (round trip, map, chaos run); writes the pool
# section of docs/performance.md. Not pinned: a pool's workers are meant to use every CPU.
env GI_TYPELIB_PATH="$builddir/gprocess${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}" \
    LD_LIBRARY_PATH="$builddir/gprocess${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    PYTHONPATH="$builddir/bindings/python:bindings/python${PYTHONPATH:+:$PYTHONPATH}" \
    /usr/bin/python3 tests/performance/bench-pools.py --write-docs
