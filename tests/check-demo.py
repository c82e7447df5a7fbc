#!/usr/bin/python3
# check-demo.py: `build-aux/quickstart.sh demo` shows what the library is
#
#   check-demo.py SOURCE_ROOT BUILD_ROOT
#
# Runs the README's demo on the built tree (QUICKSTART_NO_SETUP=1: no package installation,
# no build) and checks from its "== …" headers that it ran C examples, the life-cycle and
# fork-server examples, a Python example and a gjs example, and the GTK application's
# self-test — the last where GTK 4 was built and a display server is available (the
# session's, or xvfb-run), otherwise the demo must say it skipped it. It must exit 0.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import shutil
import subprocess
import sys


def main(argv):
    source_root, build_root = argv
    env = dict(os.environ, BUILDDIR=build_root, QUICKSTART_NO_SETUP='1')
    result = subprocess.run(['sh', os.path.join(source_root, 'build-aux', 'quickstart.sh'), 'demo'],
                            cwd=source_root, env=env, capture_output=True, text=True, timeout=600)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    headers = [line for line in result.stdout.splitlines() if line.startswith('== ')]
    gtk_built = os.access(os.path.join(build_root, 'examples', 'gtk', 'prime-counter'), os.X_OK)
    display = bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')
                   or shutil.which('xvfb-run'))
    typelib = os.path.exists(os.path.join(build_root, 'gprocess', 'GProcess-1.0.typelib'))
    wanted = {
        'a C example': r'^== examples/[a-z-]+(\.c)?$',
        'the life-cycle example': r'^== examples/lifecycle\.c',
        'a fork-server example': r'^== examples/(js/)?fork-server',
        'a Python example': r'^== examples/python/\S+\.py' if typelib else r'need introspection',
        'a gjs example': r'^== examples/js/\S+\.js \(gjs -m\)' if typelib else r'need introspection',
        'the GTK self-test': (r'^== examples/gtk/prime-counter --self-test' if gtk_built and display
                              else r'^== examples/gtk/prime-counter: .*skipped'),
    }
    failures = 0
    for what, pattern in wanted.items():
        found = any(re.search(pattern, h) for h in headers)
        print('%s - the demo runs %s' % ('ok' if found else 'not ok', what))
        failures += not found
    if gtk_built and display:
        ok = 'ok: no worker was killed' in result.stdout
        print('%s - the GTK self-test passed' % ('ok' if ok else 'not ok'))
        failures += not ok
    print('%s - the demo exits 0 (%d)' % ('ok' if result.returncode == 0 else 'not ok', result.returncode))
    failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
