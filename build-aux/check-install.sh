#!/bin/sh
# Installs into a scratch DESTDIR and builds a program against the installed pkg-config file,
# headers and library, then runs it. Then follows the reference's "Getting started" for a
# prefix of its own (docs/reference/getting-started.xml): the C subclass example through
# PKG_CONFIG_PATH and LD_LIBRARY_PATH, gjs -m through GI_TYPELIB_PATH, Python through
# PYTHONPATH, valac through --vapidir, each where its tool is there.
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

# "Getting started", with the environment variables it gives for a prefix P
export PKG_CONFIG_PATH="$destdir/pc" LD_LIBRARY_PATH="$libdir"
cc -o "$destdir/sum-worker" examples/sum-worker.c $(pkg-config --cflags --libs gprocess-1.0)
out="$("$destdir/sum-worker")"
[ "$out" = "summer: sum = 500500, exit code 0" ] || { echo "install check: sum-worker printed: $out" >&2; exit 1; }
echo "install check: C subclass example OK"

typelib="$(find "$destdir" -name GProcess-1.0.typelib | head -n 1)"
if [ -n "$typelib" ]; then
  export GI_TYPELIB_PATH="$(dirname "$typelib")"
  if command -v gjs >/dev/null; then
    out="$(gjs -m examples/js/hello-bob.js)"
    [ "$out" = "Hello Bob" ] || { echo "install check: gjs -m printed: $out" >&2; exit 1; }
    echo "install check: gjs -m with GI_TYPELIB_PATH OK"
  fi
  override="$(find "$destdir" -path '*/gi/overrides/GProcess.py' | head -n 1)"
  if [ -n "$override" ] && /usr/bin/python3 -c 'import gi' 2>/dev/null; then
    out="$(PYTHONPATH="$(dirname "$(dirname "$(dirname "$override")")")" /usr/bin/python3 examples/python/hello_bob.py)"
    [ "$out" = "Hello Bob" ] || { echo "install check: Python printed: $out" >&2; exit 1; }
    echo "install check: Python with PYTHONPATH OK"
    # The whole private package is installed: the executor lives in _gprocess/pool.py
    out="$(PYTHONPATH="$(dirname "$(dirname "$(dirname "$override")")")" /usr/bin/python3 examples/python/process_pool_executor.py)"
    case "$out" in
      *"after all that: 36"*) echo "install check: Python ProcessPoolExecutor OK" ;;
      *) echo "install check: the installed ProcessPoolExecutor printed: $out" >&2; exit 1 ;;
    esac
  fi
  vapi="$(find "$destdir" -name gprocess-1.0.vapi | head -n 1)"
  if [ -n "$vapi" ] && command -v valac >/dev/null; then
    valac -q --pkg gprocess-1.0 --vapidir="$(dirname "$vapi")" -X -w -o "$destdir/seven" tests/install-check.vala
    "$destdir/seven" && code=0 || code=$?
    [ "$code" = 7 ] || { echo "install check: the Vala program exited $code" >&2; exit 1; }
    echo "install check: valac --pkg gprocess-1.0 --vapidir OK"
  fi
fi
