#!/bin/sh
# The README's quick start: installs what is missing (Debian 12, as root), builds, and then
#   demo  runs examples: C (the seed examples, a subclass with a result, the life cycle, the
#         fork server), Python (multiprocessing's Pool and ProcessPoolExecutor on GProcess),
#         gjs, and the GTK application's self-test where a display server is available (the
#         session's, or Xvfb through xvfb-run);
#   test  runs the whole test suite: unit tests, bindings, docs, valgrind, ASan/UBSan, and an
#         install check.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

cd "$(dirname "$0")/.."
what="${1:-demo}"
builddir="${BUILDDIR:-_build}"

# QUICKSTART_NO_SETUP=1: an already built tree (the quickstart-demo test runs the demo so)
if [ -z "${QUICKSTART_NO_SETUP:-}" ]; then
  sh build-aux/install-deps.sh

  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" -Dgtk_doc=true
  fi
  meson compile -C "$builddir"
fi

case "$what" in
  demo)
    for example in hello-bob five-children mainloop subclass states pids sum-worker lifecycle \
                   fork-server; do
      echo "== examples/$example.c"
      "$builddir/examples/$example"
    done
    # The bindings, from the build tree: the environment of "Getting started" for an
    # uninstalled GProcess (what `meson devenv -C $builddir` sets)
    export GI_TYPELIB_PATH="$builddir/gprocess${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
    export LD_LIBRARY_PATH="$builddir/gprocess${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export PYTHONPATH="$PWD/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
    if [ -f "$builddir/gprocess/GProcess-1.0.typelib" ]; then
      echo "== examples/python/pool.py (multiprocessing's Pool, ProcessPoolExecutor, Manager)"
      /usr/bin/python3 examples/python/pool.py
      echo "== examples/js/fork-server.js (gjs -m)"
      gjs -m examples/js/fork-server.js
    else
      echo "== the Python and gjs examples need introspection: skipped"
    fi
    # The GTK application checks itself: a job of four workers to completion
    if [ -x "$builddir/examples/gtk/prime-counter" ]; then
      self_test="$builddir/examples/gtk/prime-counter --self-test=complete --limit=2000000 --workers=4"
      if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        echo "== examples/gtk/prime-counter --self-test (on this display)"
        $self_test
      elif command -v xvfb-run >/dev/null; then
        echo "== examples/gtk/prime-counter --self-test (under Xvfb)"
        GDK_BACKEND=x11 GTK_A11Y=none GSK_RENDERER=cairo DBUS_SESSION_BUS_ADDRESS=disabled: \
          xvfb-run -a -s '-screen 0 1280x1024x24' $self_test
      else
        echo "== examples/gtk/prime-counter: no display server and no xvfb-run: skipped"
      fi
    else
      echo "== examples/gtk/prime-counter: GTK 4 not found at build time: skipped"
    fi
    ;;
  test)
    meson test -C "$builddir" --print-errorlogs
    # valgrind's gdbserver FIFOs are made in TMPDIR: with --vgdb=no there must be none left
    vgtmp="$(mktemp -d)"
    TMPDIR="$vgtmp" meson test -C "$builddir" --setup=valgrind --print-errorlogs --suite c
    if [ -n "$(ls "$vgtmp")" ]; then
      echo "the valgrind suite left files in TMPDIR (vgdb FIFOs?):" >&2
      ls "$vgtmp" | head >&2
      exit 1
    fi
    rm -rf "$vgtmp"
    # The C suite again under AddressSanitizer and UBSan (racing getters and setters, the
    # deadline arithmetic): a second build, without docs (gtk-doc cannot run under ASan)
    # and without introspection (the bindings' interpreters are not ASan-linked).
    asandir="${builddir}-asan"
    if [ ! -f "$asandir/build.ninja" ]; then
      meson setup "$asandir" -Db_sanitize=address,undefined -Db_lundef=false \
        -Dgtk_doc=false -Dintrospection=disabled
    fi
    meson compile -C "$asandir"
    GPROCESS_TEST_SANITIZER=1 ASAN_OPTIONS=abort_on_error=1 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C "$asandir" --print-errorlogs --suite c --timeout-multiplier 4
    sh build-aux/check-install.sh "$builddir"
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
