#!/usr/bin/python3
# check-example.py: runs an example and checks its output
#
#   check-example.py [--line REGEX]... [--ordered] -- COMMAND [ARG]...
#
# Every output line must match one --line pattern, each pattern one line (in any order unless
# --ordered), and the command must exit 0 within 60 s.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import re
import subprocess
import sys


def main(argv):
    split = argv.index('--')
    options, command = argv[:split], argv[split + 1:]
    patterns, ordered = [], False
    i = 0
    while i < len(options):
        if options[i] == '--line':
            patterns.append(options[i + 1])
            i += 2
        elif options[i] == '--ordered':
            ordered = True
            i += 1
        else:
            raise SystemExit('unknown option %s' % options[i])

    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit('exit status %d' % result.returncode)
    if len(lines) != len(patterns):
        raise SystemExit('%d lines, expected %d' % (len(lines), len(patterns)))
    remaining = list(patterns)
    for n, line in enumerate(lines):
        candidates = [remaining[0]] if ordered else remaining
        match = next((p for p in candidates if re.fullmatch(p, line)), None)
        if match is None:
            raise SystemExit('line %d %r matches no expected pattern of %r' % (n + 1, line, candidates))
        remaining.remove(match)
    print('output as expected')


if __name__ == '__main__':
    main(sys.argv[1:])
