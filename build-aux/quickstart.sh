#!/bin/sh
# The README's quick start: installs what is missing (Debian 12, as root), builds, and then
#   demo  runs the examples;
#   test  runs the whole test suite: unit tests, bindings, docs, valgrind, ASan/UBSan, and an
#         install check.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

cd "$(dirname "$0")/.."
what="${1:-demo}"
builddir="${BUILDDIR:-_build}"

sh build-aux/install-deps.sh

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dgtk_doc=true
fi
meson compile -C "$builddir"

case "$what" in
  demo)
    for example in hello-bob five-children mainloop subclass states pids; do
      echo "== examples/$example"
      "$builddir/examples/$example"
    done
    ;;
  test)
    meson test -C "$builddir" --print-errorlogs
    meson test -C "$builddir" --setup=valgrind --print-errorlogs --suite c
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
